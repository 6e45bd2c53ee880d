/* Placeholder translation unit (see ../../README.md). */
int cm_placeholder_srtp3(void) { return 0; }
