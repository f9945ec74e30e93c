/* jpeg_codec.c — JPEG decode/encode through libjpeg-turbo with setjmp-guarded errors. */
#include "image_codecs.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
    char *message;
} guarded_error;

static void guarded_exit(j_common_ptr cinfo) {
    guarded_error *err = (guarded_error *)cinfo->err;
    if (err->message) (*cinfo->err->format_message)(cinfo, err->message);
    longjmp(err->jump, 1);
}

/* Warnings (e.g. "premature end of data") are not fatal; libjpeg pads with grey.
 * A truncated file is still an error for us: remember the first warning and fail. */
static void guarded_emit(j_common_ptr cinfo, int level) {
    if (level < 0) {
        guarded_error *err = (guarded_error *)cinfo->err;
        if (err->base.num_warnings == 0 && err->message) (*cinfo->err->format_message)(cinfo, err->message);
        err->base.num_warnings++;
    }
}

static unsigned read16(const unsigned char *p, int little) {
    return little ? (unsigned)(p[0] | (p[1] << 8)) : (unsigned)((p[0] << 8) | p[1]);
}
static unsigned long read32(const unsigned char *p, int little) {
    return little ? ((unsigned long)p[0] | ((unsigned long)p[1] << 8) | ((unsigned long)p[2] << 16) | ((unsigned long)p[3] << 24))
                  : (((unsigned long)p[0] << 24) | ((unsigned long)p[1] << 16) | ((unsigned long)p[2] << 8) | (unsigned long)p[3]);
}

/* Orientation (tag 0x0112) from IFD0 of an APP1 "Exif" marker; 1 when absent or malformed. */
static int exif_orientation(j_decompress_ptr cinfo) {
    for (jpeg_saved_marker_ptr m = cinfo->marker_list; m; m = m->next) {
        if (m->marker != JPEG_APP0 + 1 || m->data_length < 14) continue;
        const unsigned char *d = m->data;
        if (memcmp(d, "Exif\0\0", 6) != 0) continue;
        const unsigned char *tiff = d + 6;
        size_t len = m->data_length - 6;
        int little;
        if (tiff[0] == 'I' && tiff[1] == 'I') little = 1;
        else if (tiff[0] == 'M' && tiff[1] == 'M') little = 0;
        else continue;
        if (read16(tiff + 2, little) != 42) continue;
        unsigned long ifd = read32(tiff + 4, little);
        if (ifd + 2 > len) continue;
        unsigned count = read16(tiff + ifd, little);
        for (unsigned i = 0; i < count; i++) {
            size_t e = ifd + 2 + (size_t)i * 12;
            if (e + 12 > len) break;
            if (read16(tiff + e, little) == 0x0112) {
                unsigned type = read16(tiff + e + 2, little);
                unsigned value = type == 3 ? read16(tiff + e + 8, little) : (unsigned)read32(tiff + e + 8, little);
                return (value >= 1 && value <= 8) ? (int)value : 1;
            }
        }
    }
    return 1;
}

int fic_jpeg_info(const unsigned char *data, size_t size, int *width, int *height,
                  int *components, int *orientation, char *message) {
    struct jpeg_decompress_struct cinfo;
    guarded_error err;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = guarded_exit;
    err.base.emit_message = guarded_emit;
    err.message = message;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        return FIC_ERROR_DECODE;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);
    *width = (int)cinfo.image_width;
    *height = (int)cinfo.image_height;
    *components = cinfo.num_components;
    *orientation = exif_orientation(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    return FIC_OK;
}

int fic_jpeg_decode(const unsigned char *data, size_t size, int scale_denom,
                    long long max_pixels, fic_image *out, char *message) {
    struct jpeg_decompress_struct cinfo;
    guarded_error err;
    /* volatile: modified between setjmp and longjmp. */
    unsigned char *volatile pixels = NULL;
    unsigned char *volatile row = NULL;
    memset(&cinfo, 0, sizeof cinfo);
    memset(out, 0, sizeof *out);
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = guarded_exit;
    err.base.emit_message = guarded_emit;
    err.message = message;
    if (setjmp(err.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        free(row);
        return FIC_ERROR_DECODE;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);
    if ((long long)cinfo.image_width * (long long)cinfo.image_height > max_pixels) {
        if (message) snprintf(message, FIC_MESSAGE_LENGTH, "%u×%u pixels exceed the limit of %lld",
                              cinfo.image_width, cinfo.image_height, max_pixels);
        jpeg_destroy_decompress(&cinfo);
        return FIC_ERROR_TOO_LARGE;
    }
    int cmyk = 0, adobe_inverted = 0;
    switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo.out_color_space = JCS_GRAYSCALE; break;
    case JCS_CMYK: case JCS_YCCK:
        cinfo.out_color_space = JCS_CMYK; cmyk = 1; adobe_inverted = cinfo.saw_Adobe_marker; break;
    default: cinfo.out_color_space = JCS_RGB; break;
    }
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned)(scale_denom == 2 || scale_denom == 4 || scale_denom == 8 ? scale_denom : 1);
    cinfo.dct_method = JDCT_ISLOW;
    jpeg_start_decompress(&cinfo);
    int w = (int)cinfo.output_width, h = (int)cinfo.output_height;
    int channels = cmyk ? 3 : cinfo.output_components;
    pixels = malloc((size_t)w * (size_t)h * (size_t)channels);
    if (cmyk) row = malloc((size_t)w * 4);
    if (!pixels || (cmyk && !row)) {
        if (message) snprintf(message, FIC_MESSAGE_LENGTH, "out of memory for %d×%d pixels", w, h);
        jpeg_destroy_decompress(&cinfo);
        free(pixels); free(row);
        return FIC_ERROR_MEMORY;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        unsigned y = cinfo.output_scanline;
        unsigned char *dst = pixels + (size_t)y * (size_t)w * (size_t)channels;
        JSAMPROW rows[1] = { cmyk ? row : dst };
        jpeg_read_scanlines(&cinfo, rows, 1);
        if (cmyk) {
            /* Pillow's cmyk2rgb: R = (255 − K) − (C·(255 − K))/255 with its rounding;
             * Adobe files store inverted ink, as Pillow's "CMYK;I" raw mode assumes. */
            for (int x = 0; x < w; x++) {
                int c = row[4 * x], m = row[4 * x + 1], yy = row[4 * x + 2], k = row[4 * x + 3];
                if (adobe_inverted) { c = 255 - c; m = 255 - m; yy = 255 - yy; k = 255 - k; }
                int nk = 255 - k, t;
                t = c * nk + 128;  dst[3 * x]     = (unsigned char)(nk - (((t >> 8) + t) >> 8));
                t = m * nk + 128;  dst[3 * x + 1] = (unsigned char)(nk - (((t >> 8) + t) >> 8));
                t = yy * nk + 128; dst[3 * x + 2] = (unsigned char)(nk - (((t >> 8) + t) >> 8));
            }
        }
    }
    if (err.base.num_warnings > 0) {
        /* Corrupt or truncated data: libjpeg filled the rest with grey. Refuse it. */
        jpeg_destroy_decompress(&cinfo);
        free(pixels); free(row);
        return FIC_ERROR_DECODE;
    }
    int orientation = exif_orientation(&cinfo);
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    free(row);
    out->pixels = pixels;
    out->width = w; out->height = h; out->channels = channels;
    out->orientation = orientation;
    return FIC_OK;
}

int fic_jpeg_encode(const unsigned char *pixels, int width, int height, int channels,
                    int quality, unsigned char **out, unsigned long *out_size, char *message) {
    struct jpeg_compress_struct cinfo;
    guarded_error err;
    unsigned char *buffer = NULL;
    unsigned long buffer_size = 0;
    *out = NULL; *out_size = 0;
    if (channels != 1 && channels != 3) {
        if (message) snprintf(message, FIC_MESSAGE_LENGTH, "%d channels (JPEG takes 1 or 3)", channels);
        return FIC_ERROR_UNSUPPORTED;
    }
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&err.base);
    err.base.error_exit = guarded_exit;
    err.base.emit_message = guarded_emit;
    err.message = message;
    if (setjmp(err.jump)) {
        /* The memory destination may have moved its buffer; a rare encoder error leaks it
         * rather than risk freeing a stale pointer. */
        jpeg_destroy_compress(&cinfo);
        return FIC_ERROR_DECODE;
    }
    jpeg_create_compress(&cinfo);
    unsigned char *tmp = NULL;
    jpeg_mem_dest(&cinfo, &tmp, &buffer_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality < 1 ? 1 : (quality > 100 ? 100 : quality), TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW rows[1] = { (JSAMPROW)(pixels + (size_t)cinfo.next_scanline * (size_t)width * (size_t)channels) };
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    buffer = tmp;
    jpeg_destroy_compress(&cinfo);
    *out = buffer;
    *out_size = buffer_size;
    return FIC_OK;
}

void fic_free(void *pointer) { free(pointer); }
