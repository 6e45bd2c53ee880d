/* Placeholder translation unit (see ../../README.md). */
int cm_placeholder_liburing(void) { return 0; }
