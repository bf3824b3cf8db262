/* arm64: plain `char` is unsigned (GCC predefines __CHAR_UNSIGNED__ there). */
#define __CHAR_UNSIGNED__ 1
