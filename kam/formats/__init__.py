"""KAM's own date and number formats per language (``FORMAT_MODULE_PATH``); a language without a
module here keeps Django's."""
