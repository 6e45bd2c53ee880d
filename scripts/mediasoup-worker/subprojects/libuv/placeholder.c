/* Placeholder translation unit (see ../../README.md). */
int cm_placeholder_libuv(void) { return 0; }
