/* version.h - the version xstrap -V prints. */
#define XS_VERSION "0.1.0"
