// Placeholder translation unit (see ../../README.md).
int cm_placeholder_abseil_cpp() { return 0; }
