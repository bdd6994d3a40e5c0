// GOV.UK Frontend: mark the page as having JavaScript before it is drawn (no inline script:
// the Content-Security-Policy allows scripts from this site only).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
