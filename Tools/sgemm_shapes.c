// OpenBLAS sgemm on one shape, row-major C = A·B (M×K · K×N), after one warm-up call:
//   gcc -O2 Tools/sgemm_shapes.c -o /tmp/sgemm_shapes -lopenblas
//   /tmp/sgemm_shapes M N K REPS        (OPENBLAS_NUM_THREADS=1 for one thread)
// Docs/PERFORMANCE.md uses it for the small GEMMs of ResNet-18 at 28-112 px.
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){int M=atoi(argv[1]),N=atoi(argv[2]),K=atoi(argv[3]);int reps=atoi(argv[4]);
float*a=malloc(4L*M*K),*b=malloc(4L*K*N),*c=malloc(4L*M*N);for(long i=0;i<(long)M*K;i++)a[i]=i%7;for(long i=0;i<(long)K*N;i++)b[i]=i%5;
cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,M,N,K,1,a,K,b,N,0,c,N);
double t=now();for(int r=0;r<reps;r++)cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,M,N,K,1,a,K,b,N,0,c,N);t=now()-t;
printf("M=%d N=%d K=%d: %.1f GFLOP/s, %.3f ms\n",M,N,K,2.0*M*N*K*reps/t/1e9,t/reps*1e3);}
