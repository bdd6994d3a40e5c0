"""A subject kind that exists only in the tests (the pattern of data-hub-api's
`datahub/documents/test/my_entity_document/`): a council's permit for a location, granted or
refused through the decision chain. It proves the chain works for any subject, not only the
escalation cases it was first written for."""
