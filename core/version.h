#define XS_VERSION "0.1.0"
