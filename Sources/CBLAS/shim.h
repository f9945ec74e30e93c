// OpenBLAS's CBLAS interface (Debian: libopenblas-dev).
#include <cblas.h>
// OpenBLAS extensions; declared here so any cblas.h alternative works.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);
char *openblas_get_corename(void);
char *openblas_get_config(void);
