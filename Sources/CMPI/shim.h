// Open MPI for Swift: MPI's handles (MPI_COMM_WORLD, MPI_FLOAT, MPI_SUM …) are macros over
// casts of global symbols that Swift cannot import, so each call the project makes is a small
// static inline function here. Every function returns MPI's error code (MPI_SUCCESS = 0);
// errors are returned, not fatal (MPI_ERRORS_RETURN is set at initialisation).
#include <mpi.h>
#include <limits.h>

static inline int fs_mpi_initialized(void) {
    int flag = 0;
    MPI_Initialized(&flag);
    return flag;
}

static inline int fs_mpi_init(void) {
    if (fs_mpi_initialized()) return MPI_SUCCESS;
    int provided = 0;
    int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
    if (rc == MPI_SUCCESS) MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
    return rc;
}

static inline int fs_mpi_rank(int *rank) { return MPI_Comm_rank(MPI_COMM_WORLD, rank); }
static inline int fs_mpi_size(int *size) { return MPI_Comm_size(MPI_COMM_WORLD, size); }

/// Sums `count` floats (at most INT_MAX) over every rank, in place.
static inline int fs_mpi_allreduce_sum_float(float *buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

/// `bytes` bytes (at most INT_MAX) from `root` to every rank.
static inline int fs_mpi_broadcast(void *buffer, int bytes, int root) {
    return MPI_Bcast(buffer, bytes, MPI_BYTE, root, MPI_COMM_WORLD);
}

static inline int fs_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }

/// Every rank's `value` at `root`, in rank order.
static inline int fs_mpi_gather_int(int value, int *all, int root) {
    return MPI_Gather(&value, 1, MPI_INT, all, 1, MPI_INT, root, MPI_COMM_WORLD);
}

/// Every rank's bytes concatenated at `root` (`counts` and `displacements` used at root only).
static inline int fs_mpi_gather_bytes(const void *send, int count, void *receive, const int *counts, const int *displacements, int root) {
    return MPI_Gatherv(send, count, MPI_BYTE, receive, counts, displacements, MPI_BYTE, root, MPI_COMM_WORLD);
}

/// Floats from every rank to every rank (`MPI_Alltoallv`): the scatter half of an ordered sum.
static inline int fs_mpi_alltoallv_float(const float *send, const int *sendCounts, const int *sendDisplacements,
                                         float *receive, const int *receiveCounts, const int *receiveDisplacements) {
    return MPI_Alltoallv(send, sendCounts, sendDisplacements, MPI_FLOAT, receive, receiveCounts, receiveDisplacements,
                         MPI_FLOAT, MPI_COMM_WORLD);
}

/// Every rank's chunk of `buffer` to every rank, in place (`MPI_Allgatherv`): the gather half.
static inline int fs_mpi_allgatherv_float(float *buffer, const int *counts, const int *displacements) {
    return MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_FLOAT, buffer, counts, displacements, MPI_FLOAT, MPI_COMM_WORLD);
}

static inline int fs_mpi_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
static inline int fs_mpi_finalize(void) { return MPI_Finalize(); }

/// MPI's words for an error code, into `text` (at least MPI_MAX_ERROR_STRING bytes).
static inline void fs_mpi_error_string(int code, char *text) {
    int length = 0;
    MPI_Error_string(code, text, &length);
    text[length < MPI_MAX_ERROR_STRING ? length : MPI_MAX_ERROR_STRING - 1] = 0;
}

static inline int fs_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
