/* Placeholder translation unit (see ../../README.md). */
int cm_placeholder_openssl(void) { return 0; }
