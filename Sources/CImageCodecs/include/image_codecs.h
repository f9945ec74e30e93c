/* image_codecs.h — libjpeg-turbo and libpng behind functions that return an error code.
 *
 * libjpeg and libpng report fatal errors by longjmp, which Swift frames cannot survive.
 * Every call here sets its own jump point, turns an error into a non-zero return and a
 * message, frees what it allocated, and never calls exit(). */
#ifndef FASHION_IMAGE_CODECS_H
#define FASHION_IMAGE_CODECS_H

#include <stddef.h>

#define FIC_MESSAGE_LENGTH 256

/* Return codes. */
enum {
    FIC_OK = 0,
    FIC_ERROR_DECODE = 1,     /* the library rejected the data (message says why) */
    FIC_ERROR_TOO_LARGE = 2,  /* width × height above the caller's pixel limit */
    FIC_ERROR_MEMORY = 3,     /* malloc failed */
    FIC_ERROR_UNSUPPORTED = 4 /* a colour space or layout we do not convert */
};

/* A decoded image: 8-bit interleaved, 1 (grey) or 3 (RGB) channels; free with fic_free. */
typedef struct {
    unsigned char *pixels;
    int width, height, channels;
    int orientation;          /* EXIF orientation 1…8 (1 when absent or not a JPEG) */
} fic_image;

/* Header of a JPEG: size, components (1 grey, 3 colour, 4 CMYK/YCCK), EXIF orientation. */
int fic_jpeg_info(const unsigned char *data, size_t size, int *width, int *height,
                  int *components, int *orientation, char *message);

/* Decodes a JPEG at 1/scale_denom of its size (1, 2, 4 or 8, libjpeg's DCT scaling) to grey
 * or RGB; CMYK and YCCK (Adobe-inverted or not) become RGB. Images with more than
 * max_pixels pixels (full size) are refused with FIC_ERROR_TOO_LARGE. */
int fic_jpeg_decode(const unsigned char *data, size_t size, int scale_denom,
                    long long max_pixels, fic_image *out, char *message);

/* Encodes grey or RGB pixels as a baseline JPEG (4:2:0 for colour); *out is malloc'd. */
int fic_jpeg_encode(const unsigned char *pixels, int width, int height, int channels,
                    int quality, unsigned char **out, unsigned long *out_size, char *message);

/* Decodes a PNG to 8-bit grey or RGB: palette expanded, 16-bit reduced (rounded), alpha
 * composited on white (grey+alpha stays grey). */
int fic_png_decode(const unsigned char *data, size_t size, long long max_pixels,
                   fic_image *out, char *message);

/* Encodes 8-bit grey or RGB pixels as PNG; *out is malloc'd. */
int fic_png_encode(const unsigned char *pixels, int width, int height, int channels,
                   unsigned char **out, size_t *out_size, char *message);

void fic_free(void *pointer);

#endif
