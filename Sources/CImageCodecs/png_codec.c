/* png_codec.c — PNG decode/encode through libpng with setjmp-guarded errors. */
#include "image_codecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <png.h>

typedef struct {
    const unsigned char *data;
    size_t size, offset;
} memory_reader;

typedef struct {
    char *message;
} error_context;

static void read_memory(png_structp png, png_bytep out, png_size_t count) {
    memory_reader *r = (memory_reader *)png_get_io_ptr(png);
    if (count > r->size - r->offset) png_error(png, "unexpected end of file (truncated PNG)");
    memcpy(out, r->data + r->offset, count);
    r->offset += count;
}

static void on_error(png_structp png, png_const_charp text) {
    error_context *ctx = (error_context *)png_get_error_ptr(png);
    if (ctx && ctx->message) snprintf(ctx->message, FIC_MESSAGE_LENGTH, "%s", text);
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) { (void)png; (void)text; }

int fic_png_decode(const unsigned char *data, size_t size, long long max_pixels,
                   fic_image *out, char *message) {
    memset(out, 0, sizeof *out);
    if (size < 8 || png_sig_cmp((png_const_bytep)data, 0, 8) != 0) {
        if (message) snprintf(message, FIC_MESSAGE_LENGTH, "not a PNG file (bad signature)");
        return FIC_ERROR_DECODE;
    }
    error_context ctx = { message };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, on_error, on_warning);
    if (!png) return FIC_ERROR_MEMORY;
    png_infop info = png_create_info_struct(png);
    if (!info) { png_destroy_read_struct(&png, NULL, NULL); return FIC_ERROR_MEMORY; }
    unsigned char *volatile rgba = NULL;
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        free(rgba); free(pixels); free(rows);
        return FIC_ERROR_DECODE;
    }
    memory_reader reader = { data, size, 0 };
    png_set_read_fn(png, &reader, read_memory);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    if ((long long)w * (long long)h > max_pixels) {
        if (message) snprintf(message, FIC_MESSAGE_LENGTH, "%u×%u pixels exceed the limit of %lld", w, h, max_pixels);
        png_destroy_read_struct(&png, &info, NULL);
        return FIC_ERROR_TOO_LARGE;
    }
    int color = png_get_color_type(png, info);
    png_set_expand(png);          /* palette → RGB, grey < 8 bit → 8 bit, tRNS → alpha */
    png_set_scale_16(png);        /* 16 → 8 bit, rounded like Pillow */
    int grey = !(color & PNG_COLOR_MASK_COLOR);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    int in_channels = png_get_channels(png, info);
    int has_alpha = (in_channels == 2 || in_channels == 4);
    int out_channels = grey ? 1 : 3;
    size_t row_bytes = png_get_rowbytes(png, info);
    rgba = malloc(row_bytes * h);
    rows = malloc(sizeof(png_bytep) * h);
    pixels = malloc((size_t)w * h * (size_t)out_channels);
    if (!rgba || !rows || !pixels) {
        if (message) snprintf(message, FIC_MESSAGE_LENGTH, "out of memory for %u×%u pixels", w, h);
        png_destroy_read_struct(&png, &info, NULL);
        free(rgba); free(pixels); free(rows);
        return FIC_ERROR_MEMORY;
    }
    for (png_uint_32 y = 0; y < h; y++) rows[y] = rgba + y * row_bytes;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    /* Composite on white as Pillow's paste(image, mask=alpha) does: out = 255 + round((c − 255)·a/255). */
    for (size_t i = 0; i < (size_t)w * h; i++) {
        const unsigned char *src = rgba + i * (size_t)in_channels;
        unsigned char *dst = pixels + i * (size_t)out_channels;
        int a = has_alpha ? src[in_channels - 1] : 255;
        for (int c = 0; c < out_channels; c++) {
            int t = (src[c] - 255) * a + 128;
            dst[c] = has_alpha ? (unsigned char)(255 + (((t >> 8) + t) >> 8)) : src[c];
        }
    }
    free(rgba); free(rows);
    out->pixels = pixels;
    out->width = (int)w; out->height = (int)h; out->channels = out_channels;
    out->orientation = 1;
    return FIC_OK;
}

int fic_png_encode(const unsigned char *pixels, int width, int height, int channels,
                   unsigned char **out, size_t *out_size, char *message) {
    *out = NULL; *out_size = 0;
    if (channels != 1 && channels != 3) {
        if (message) snprintf(message, FIC_MESSAGE_LENGTH, "%d channels (PNG writer takes 1 or 3)", channels);
        return FIC_ERROR_UNSUPPORTED;
    }
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)width;
    image.height = (png_uint_32)height;
    image.format = channels == 1 ? PNG_FORMAT_GRAY : PNG_FORMAT_RGB;
    png_alloc_size_t size = 0;
    if (!png_image_write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL)) {
        if (message) snprintf(message, FIC_MESSAGE_LENGTH, "%s", image.message);
        return FIC_ERROR_DECODE;
    }
    unsigned char *buffer = malloc(size);
    if (!buffer) return FIC_ERROR_MEMORY;
    if (!png_image_write_to_memory(&image, buffer, &size, 0, pixels, 0, NULL)) {
        if (message) snprintf(message, FIC_MESSAGE_LENGTH, "%s", image.message);
        free(buffer);
        return FIC_ERROR_DECODE;
    }
    *out = buffer;
    *out_size = size;
    return FIC_OK;
}
