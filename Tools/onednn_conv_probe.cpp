// Issue 35, step 1: does a packaged library give bf16 convolutions fast enough to build on?
// Times oneDNN (Debian 12's libdnnl 2.6) on every distinct convolution of ResNet-18 at
// 224×224 — forward, backward-data and backward-weights, as a training step runs them — in
// FP32 and in bf16 (bf16 source/weights/gradients, FP32 accumulation inside oneDNN; the
// destination of forward and backward-data bf16 as autocast gives), channels-last (nhwc) and
// blocked layouts chosen by oneDNN ("any"). Prints milliseconds per layer and the sum over
// the network (each shape times how often ResNet-18 has it), and the implementation oneDNN
// chose (its name says which ISA: avx512_core_bf16, avx512_core, avx2 …).
//
//   apt-get install -y libdnnl-dev g++
//   g++ -O2 -std=c++17 Tools/onednn_conv_probe.cpp -ldnnl -o /tmp/onednn_conv_probe
//   OMP_NUM_THREADS=2 /tmp/onednn_conv_probe [batch=16] [repetitions=5]
#include <dnnl.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <algorithm>
#include <string>
#include <vector>

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

struct Shape { const char *name; int c, k, h, r, s, pad, count; };

// ResNet-18 at 224: input channels, output channels, input size, kernel, stride, padding, occurrences.
static const Shape shapes[] = {
    {"conv1 7x7/2 3-64 @224", 3, 64, 224, 7, 2, 3, 1},
    {"layer1 3x3 64-64 @56", 64, 64, 56, 3, 1, 1, 4},
    {"layer2.0 3x3/2 64-128 @56", 64, 128, 56, 3, 2, 1, 1},
    {"layer2 3x3 128-128 @28", 128, 128, 28, 3, 1, 1, 3},
    {"layer2 down 1x1/2 64-128 @56", 64, 128, 56, 1, 2, 0, 1},
    {"layer3.0 3x3/2 128-256 @28", 128, 256, 28, 3, 2, 1, 1},
    {"layer3 3x3 256-256 @14", 256, 256, 14, 3, 1, 1, 3},
    {"layer3 down 1x1/2 128-256 @28", 128, 256, 28, 1, 2, 0, 1},
    {"layer4.0 3x3/2 256-512 @14", 256, 512, 14, 3, 2, 1, 1},
    {"layer4 3x3 512-512 @7", 512, 512, 7, 3, 1, 1, 3},
    {"layer4 down 1x1/2 256-512 @14", 256, 512, 14, 1, 2, 0, 1},
};

static double now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

struct Result { double fwd, bwd_data, bwd_weights; std::string impl; };

static Result run(engine &eng, stream &strm, const Shape &sh, int batch, bool bf16, int reps) {
    int oh = (sh.h + 2 * sh.pad - sh.r) / sh.s + 1;
    memory::dims src_d = {batch, sh.c, sh.h, sh.h}, wei_d = {sh.k, sh.c, sh.r, sh.r}, dst_d = {batch, sh.k, oh, oh};
    memory::dims strides = {sh.s, sh.s}, pad = {sh.pad, sh.pad};
    dt t = bf16 ? dt::bf16 : dt::f32;
    auto src_md = memory::desc(src_d, t, tag::any), wei_md = memory::desc(wei_d, t, tag::any), dst_md = memory::desc(dst_d, t, tag::any);
    auto fwd_desc = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct,
                                              src_md, wei_md, dst_md, strides, pad, pad);
    auto fwd_pd = convolution_forward::primitive_desc(fwd_desc, eng);
    auto bwd_d_desc = convolution_backward_data::desc(algorithm::convolution_direct, src_md, wei_md, dst_md, strides, pad, pad);
    auto bwd_d_pd = convolution_backward_data::primitive_desc(bwd_d_desc, eng, fwd_pd);
    auto bwd_w_desc = convolution_backward_weights::desc(algorithm::convolution_direct, src_md, wei_md, dst_md, strides, pad, pad);
    auto bwd_w_pd = convolution_backward_weights::primitive_desc(bwd_w_desc, eng, fwd_pd);

    memory src(fwd_pd.src_desc(), eng), wei(fwd_pd.weights_desc(), eng), dst(fwd_pd.dst_desc(), eng);
    memory diff_src(bwd_d_pd.diff_src_desc(), eng), diff_dst(bwd_d_pd.diff_dst_desc(), eng);
    memory diff_dst_w(bwd_w_pd.diff_dst_desc(), eng), diff_wei(bwd_w_pd.diff_weights_desc(), eng), src_w(bwd_w_pd.src_desc(), eng);
    // Fill with something finite (bytes of small values are fine for timing).
    for (memory *m : {&src, &wei, &diff_dst, &diff_dst_w, &src_w}) {
        auto n = m->get_desc().get_size();
        std::vector<unsigned char> bytes(n, 0x3c);
        std::memcpy(m->get_data_handle(), bytes.data(), n);
    }
    convolution_forward fwd(fwd_pd);
    convolution_backward_data bwd_d(bwd_d_pd);
    convolution_backward_weights bwd_w(bwd_w_pd);
    auto time = [&](auto &&f) {
        f(); strm.wait();
        double best = 1e30;
        for (int i = 0; i < reps; i++) { double t0 = now(); f(); strm.wait(); best = std::min(best, now() - t0); }
        return best * 1e3;
    };
    Result r;
    r.fwd = time([&] { fwd.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}}); });
    r.bwd_data = time([&] { bwd_d.execute(strm, {{DNNL_ARG_DIFF_DST, diff_dst}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DIFF_SRC, diff_src}}); });
    r.bwd_weights = time([&] { bwd_w.execute(strm, {{DNNL_ARG_SRC, src_w}, {DNNL_ARG_DIFF_DST, diff_dst_w}, {DNNL_ARG_DIFF_WEIGHTS, diff_wei}}); });
    r.impl = std::string(fwd_pd.impl_info_str()) + " / " + bwd_d_pd.impl_info_str() + " / " + bwd_w_pd.impl_info_str();
    return r;
}

int main(int argc, char **argv) {
    int batch = argc > 1 ? std::atoi(argv[1]) : 16, reps = argc > 2 ? std::atoi(argv[2]) : 5;
    engine eng(engine::kind::cpu, 0);
    stream strm(eng);
    double total[2][3] = {{0}};
    std::printf("oneDNN %d.%d.%d, batch %d, best of %d; ms per call: forward / backward-data / backward-weights\n",
                dnnl_version()->major, dnnl_version()->minor, dnnl_version()->patch, batch, reps);
    for (const Shape &sh : shapes) {
        for (int b = 0; b < 2; b++) {
            Result r = run(eng, strm, sh, batch, b == 1, reps);
            std::printf("%-32s %s  %8.2f %8.2f %8.2f   %s\n", sh.name, b ? "bf16" : "fp32", r.fwd, r.bwd_data, r.bwd_weights, r.impl.c_str());
            total[b][0] += sh.count * r.fwd; total[b][1] += sh.count * r.bwd_data; total[b][2] += sh.count * r.bwd_weights;
        }
    }
    for (int b = 0; b < 2; b++)
        std::printf("ResNet-18 convolutions, %s: forward %.1f ms, backward-data %.1f ms, backward-weights %.1f ms, training step %.1f ms\n",
                    b ? "bf16" : "fp32", total[b][0], total[b][1], total[b][2], total[b][0] + total[b][1] + total[b][2]);
    return 0;
}
