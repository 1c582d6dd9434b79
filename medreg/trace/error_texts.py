"""What a capture error says in the console, per error code: a problem and a fix, in English marked
for translation (decision 0108; the mechanism is `core.error_texts`). A capture job keeps each
error's English message, which names the offending value (the API and the audit trail give it as it
is); the console says the code's sentence in the reader's language and shows that message beside it
when the reader's language is not English.

Every code the capture path can give is here; tests/trace/test_error_texts.py finds the codes in the
source and in the conformance corpus's refusals and fails on one without a text."""

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from medreg.core.error_texts import TABLE_TEXTS, ErrorText, said

TEXTS = {
    # the document as a whole (medreg.trace.epcis, document layer)
    "document.content_type": ErrorText(
        gettext_noop("The document is neither JSON nor XML."),
        gettext_noop("Send it as application/json, application/ld+json or application/xml."),
    ),
    "document.doctype": ErrorText(
        gettext_noop("XML documents that declare a DTD or entities are refused."),
        gettext_noop("Remove the DOCTYPE and any entity declarations."),
    ),
    "document.format": ErrorText(
        gettext_noop("The document is not well-formed JSON or XML, or not one JSON object."),
        gettext_noop("Send one well-formed EPCIS document in UTF-8."),
    ),
    "document.too_many_events": ErrorText(
        gettext_noop("The document holds more events than one document may."),
        gettext_noop("Split it into smaller documents."),
    ),
    "document.type": ErrorText(
        gettext_noop("This is not an EPCIS document."),
        gettext_noop("Send an EPCISDocument."),
    ),
    # one event's structure (schema layer)
    "schema.action": ErrorText(
        gettext_noop("The action is not ADD, OBSERVE or DELETE."),
        gettext_noop("Use ADD, OBSERVE or DELETE."),
    ),
    "schema.datetime": ErrorText(
        gettext_noop("The time is not a valid date and time with a time zone."),
        gettext_noop("Write it in ISO 8601 with an offset, e.g. 2026-03-01T09:30:00+08:00."),
    ),
    "schema.duplicate": ErrorText(
        gettext_noop("The same code is listed more than once."),
        gettext_noop("List each code once."),
    ),
    "schema.element_order": ErrorText(
        gettext_noop("The XML elements are not in the order the EPCIS schema requires."),
        gettext_noop("Write the elements in the order of the EPCIS 2.0 XML schema."),
    ),
    "schema.event_type": ErrorText(
        gettext_noop("The event type is not one of EPCIS's five."),
        gettext_noop("Use ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent or AssociationEvent."),
    ),
    "schema.identifiers_missing": ErrorText(
        gettext_noop("The event lacks the codes or quantities its type requires."),
        gettext_noop(
            "Add the codes or quantities the event is about; a transformation needs its inputs and "
            "outputs, or a transformation ID."
        ),
    ),
    "schema.number": ErrorText(
        gettext_noop("The quantity is not a number."),
        gettext_noop("Give the quantity as a number, e.g. 20 or 12.5."),
    ),
    "schema.offset": ErrorText(
        gettext_noop("The time-zone offset is not valid."),
        gettext_noop("Write it as ±hh:mm, e.g. +08:00."),
    ),
    "schema.required": ErrorText(
        gettext_noop("A required field is missing."),
        gettext_noop("Add the field named in the Field column."),
    ),
    "schema.type": ErrorText(
        gettext_noop("The field holds the wrong kind of value (text, list or object)."),
        gettext_noop("Give the field in the form the EPCIS 2.0 standard defines."),
    ),
    "schema.unknown_field": ErrorText(
        gettext_noop("The field is not allowed here."),
        gettext_noop(
            "Remove it. Data of your own goes in an extension of your own namespace: prefix:name with the "
            "prefix declared in @context in JSON, an element in your own namespace in XML."
        ),
    ),
    "schema.uom": ErrorText(
        gettext_noop("The unit of measure is not a UN/CEFACT unit code."),
        gettext_noop("Use a UN/CEFACT Recommendation 20 code such as KGM, LTR or EA."),
    ),
    "schema.uri": ErrorText(
        gettext_noop("The value is not an absolute URI."),
        gettext_noop("Give a full URI with its scheme, e.g. urn:… or https://…"),
    ),
    "schema.version": ErrorText(
        gettext_noop("The schema version is not supported."),
        gettext_noop("Use schemaVersion 2.0."),
    ),
    # the values' vocabularies (vocabulary layer)
    "vocabulary.invalid_epc": ErrorText(
        gettext_noop("The code is not a valid identifier of a pack, case or pallet."),
        gettext_noop("Check the code's digits and its check digit, then report it again."),
    ),
    "vocabulary.invalid_epc_class": ErrorText(
        gettext_noop("The product class is not a valid EPC class."),
        gettext_noop("Give the product and batch as an LGTIN or a GS1 Digital Link with GTIN and batch."),
    ),
    "vocabulary.unknown_cbv_value": ErrorText(
        gettext_noop("The value is not in GS1's Core Business Vocabulary for this field and is not a URI."),
        gettext_noop("Use a CBV 2.0 value of this field (listed in the detail) or a URI of your own."),
    ),
    # a row of an uploaded table or a scan (medreg.trace.services.tabular_capture)
    "missing_columns": ErrorText(
        gettext_noop("The table lacks required columns."),
        gettext_noop("The first row must name the columns of the upload template."),
    ),
    "unknown_step": ErrorText(
        gettext_noop("The step is not one a table may report."),
        gettext_noop(
            "Use commissioning, packing, unpacking, shipping, receiving, dispensing, returning or destroying."
        ),
    ),
    "invalid_time": ErrorText(
        gettext_noop("The time is not a date and time."),
        gettext_noop("Write it as 2026-03-01 09:30 (China time) or in ISO 8601 with an offset."),
    ),
    "invalid_gln": ErrorText(
        gettext_noop("The location or destination is not a 13-digit GLN."),
        gettext_noop(
            "Write the 13-digit GLN of your site, or of the receiving party, as registered; "
            "the destination may be left empty."
        ),
    ),
    # business rules (medreg.trace.services.resolution, medreg.trace.state)
    "invalid_code": ErrorText(
        gettext_noop("The code cannot be read as a pack code."),
        gettext_noop(
            "Scan or type the code printed on the pack, case or pallet: China's 20-digit code, a GS1 "
            "barcode, a GS1 Digital Link or an EPC URI."
        ),
    ),
    "location_not_owned": ErrorText(
        gettext_noop("The location is not a registered site of your enterprise."),
        gettext_noop("Report only events at your own sites, registered with their GLN."),
    ),
    "unknown_product": ErrorText(
        gettext_noop("No registered product and pack level is bound to this code."),
        gettext_noop("Register the GTIN or drug identification code of the pack level in the registry first."),
    ),
    "pack_inactive": ErrorText(
        gettext_noop("The pack was destroyed or decommissioned and can take part in no further step."),
        gettext_noop("Check the pack's history before reporting."),
    ),
    "aggregation_loop": ErrorText(
        gettext_noop("A container cannot contain itself."),
        gettext_noop("Check the parent and child codes."),
    ),
}


# A submitted document or table refused at once (medreg.trace.services.submission), and the table
# reader's refusals, which an upload also gives.
SUBMISSION_TEXTS = {
    **TABLE_TEXTS,
    "unsupported_media_type": TEXTS["document.content_type"],  # the same refusal, before the job
    "empty": ErrorText(gettext_noop("The document is empty."), gettext_noop("Send an EPCIS document.")),
    "invalid_value": ErrorText(
        gettext_noop("The capture error behaviour is not rollback or proceed."),
        gettext_noop("Use rollback (the default) or proceed."),
    ),
}


@dataclass(frozen=True, slots=True)
class SaidJobError:
    """A stored capture error as the job page shows it."""

    event: int | None
    field: str
    problem: str
    fix: str
    detail: str


def said_error(error: object) -> SaidJobError:
    """`error` (an entry of CaptureJob.errors) in the active language; its own message and fix when the
    reader reads English or its code has no text (an error stored by an older version)."""
    if not isinstance(error, dict):  # not as this version stores errors: shown as it is
        error = {"message": str(error)}
    event = error.get("event")
    number = event if isinstance(event, int) and not isinstance(event, bool) else None
    field, message, fix, code = (str(error.get(name) or "") for name in ("field", "message", "fix", "code"))
    text = said(code, field, message, fix, TEXTS)
    return SaidJobError(number, text.field, text.problem, text.fix, text.detail)
