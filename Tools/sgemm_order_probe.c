// Does OpenBLAS's sgemm sum each element as one chain of FMAs over k (what a GEMM of our own
// would have to do to keep FP32's bits)? Compares cblas_sgemm with such chains, with chains over
// blocks of k, and with interleaved chains; counts the elements that differ, by row and column.
//
//   gcc -O2 -ffp-contract=off Tools/sgemm_order_probe.c -o /tmp/sgemm_order_probe -lopenblas -lm
//   OPENBLAS_CORETYPE=Haswell OPENBLAS_NUM_THREADS=1 /tmp/sgemm_order_probe 64 2048 64   # M N K
//
// Docs/PERFORMANCE.md ("Known slow spots") has what it found.
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
static float rnd(unsigned *s){ *s = *s*1664525u+1013904223u; return ((*s>>8)/16777216.0f)*2-1; }
int M,N,K; float *A,*B;
float chainR(int i,int j,int k0,int k1,int step,int off){ float a=0; for(int k=k0+off;k<k1;k+=step) a=fmaf(A[i*K+k],B[k*N+j],a); return a;}
int main(int argc,char**argv){
  M=atoi(argv[1]),N=atoi(argv[2]),K=atoi(argv[3]);
  A=malloc(sizeof(float)*M*K);B=malloc(sizeof(float)*K*N);float*C=malloc(sizeof(float)*M*N);
  unsigned s=1; for(int i=0;i<M*K;i++)A[i]=rnd(&s); for(int i=0;i<K*N;i++)B[i]=rnd(&s);
  cblas_sgemm(CblasRowMajor,CblasNoTrans,CblasNoTrans,M,N,K,1,A,K,B,N,0,C,N);
  for(int Q=8; Q<=K; Q*=2){ long d=0; for(int i=0;i<M;i++)for(int j=0;j<N;j++){ float c=0; for(int k0=0;k0<K;k0+=Q) c += chainR(i,j,k0,k0+Q<K?k0+Q:K,1,0); if(c!=C[i*N+j])d++;} printf("blocks Q=%d: %ld differ\n",Q,d);}
  for(int u=2; u<=8; u*=2){ long d=0; for(int i=0;i<M;i++)for(int j=0;j<N;j++){ float p[8]; for(int o=0;o<u;o++)p[o]=chainR(i,j,0,K,u,o); float c; if(u==2)c=p[0]+p[1]; else if(u==4)c=(p[0]+p[1])+(p[2]+p[3]); else c=((p[0]+p[1])+(p[2]+p[3]))+((p[4]+p[5])+(p[6]+p[7])); if(c!=C[i*N+j])d++;} printf("interleave %d: %ld differ\n",u,d);}
  // One chain of fused multiply-adds, or of rounded products added?
  { long fused=0, unfused=0, neither=0; for(int i=0;i<M;i++)for(int j=0;j<N;j++){ float a=chainR(i,j,0,K,1,0), b=0;
      for(int k=0;k<K;k++){ volatile float p=A[i*K+k]*B[k*N+j]; b=b+p; }
      if(a==C[i*N+j]) fused++; else if(b==C[i*N+j]) unfused++; else neither++; }
    printf("one chain: fused %ld, unfused %ld, neither %ld of %d\n",fused,unfused,neither,M*N); }
  // row/col dependent?
  long dr[64]={0}; for(int i=0;i<M;i++)for(int j=0;j<N;j++){ if(chainR(i,j,0,K,1,0)!=C[i*N+j]) dr[i%16]++;} for(int r=0;r<16;r++)printf("%ld ",dr[r]); printf(" by i%%16\n");
  long dc[64]={0}; for(int i=0;i<M;i++)for(int j=0;j<N;j++){ if(chainR(i,j,0,K,1,0)!=C[i*N+j]) dc[j%16]++;} for(int r=0;r<16;r++)printf("%ld ",dc[r]); printf(" by j%%16\n");
}
