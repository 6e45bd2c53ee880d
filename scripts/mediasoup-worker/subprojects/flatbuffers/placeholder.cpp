// Placeholder translation unit (see ../../README.md).
int cm_placeholder_flatbuffers() { return 0; }
