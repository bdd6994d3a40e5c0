// GOV.UK Frontend's components, started once the page is loaded.
import { initAll } from "../vendor/govuk/govuk-frontend.min.js";

initAll();
