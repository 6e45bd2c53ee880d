/* Placeholder translation unit (see ../../README.md). */
int cm_placeholder_usrsctp(void) { return 0; }
