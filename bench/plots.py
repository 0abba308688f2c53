"""PNG plots of bench results (matplotlib; Debian: python3-matplotlib).

write_plots(results, out_dir) -> [paths written]
  results is a dict; each key is optional and makes one plot:
    "kernels":  {kernel title: {variant: wasm/native time ratio}}, as
                kernels_bench.bench_kernels returns it
                -> kernels_ratio.png, grouped bars per kernel and variant
    "pingpong": {message bytes: (native_us, wasm_us[, pool_job_us])}
                -> pingpong_latency.png, log-log latency against size with
                   the ratios to native below (0 B cannot sit on a log
                   axis and is left out)
    "launch":   {ranks: {variant: (first_instruction_ms, completion_ms)}},
                as launch_bench.bench_launch returns it
                -> launch_latency.png, bars per rank count and variant,
                   first instruction above, completion below (log scale)
"""
import os

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)

KERNEL_TARGET = 1.15


def _kernel_bars(ratios, path):
    kernels = list(ratios)
    variants = list(dict.fromkeys(v for k in kernels for v in ratios[k]))
    width = 0.8 / len(variants)
    fig, ax = plt.subplots(figsize=(9, 5))
    for index, variant in enumerate(variants):
        xs = [k + (index - (len(variants) - 1) / 2) * width
              for k in range(len(kernels))]
        ys = [ratios[k].get(variant, float("nan")) for k in kernels]
        bars = ax.bar(xs, ys, width, label=variant)
        ax.bar_label(bars, fmt="%.2f", fontsize=8, padding=2)
    ax.axhline(1.0, color="black", linewidth=1, label="native")
    ax.axhline(KERNEL_TARGET, color="gray", linestyle="--", linewidth=1,
               label=f"target (geo-mean, TurboFan SIMD) {KERNEL_TARGET}")
    ax.set_xticks(range(len(kernels)), kernels)
    ax.set_ylabel("Wasm time / native time (lower is better)")
    ax.set_title("Compute kernels: Wasm slowdown against native "
                 "(-O3 -march=native)")
    ax.set_ylim(0, max(max(r.values()) for r in ratios.values()) * 1.15)
    # Below the axes: never over a bar, however tall.
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.08),
              ncol=3, frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


PINGPONG_PATHS = ("native", "Wasm (mpirun wasmhpc-run)", "Wasm pool job")


def _pingpong(table, path):
    sizes = sorted(s for s in table if s > 0)
    lines = list(zip(*(table[s] for s in sizes)))  # native, wasm[, pool]
    fig, (top, bottom) = plt.subplots(
        2, 1, figsize=(8, 6.5), sharex=True,
        gridspec_kw={"height_ratios": [3, 1]})
    for values, label, marker in zip(lines, PINGPONG_PATHS, "os^"):
        top.loglog(sizes, values, marker + "-", markersize=4, label=label)
    top.set_ylabel("half round trip (us)")
    top.set_title("MPI ping-pong latency, 2 ranks")
    top.grid(True, which="major", alpha=0.4)
    top.legend()
    for index, values in enumerate(lines[1:], 1):
        bottom.semilogx(sizes, [v / n for n, v in zip(lines[0], values)],
                        "os^"[index] + "-", markersize=4,
                        color=f"C{index}", label=PINGPONG_PATHS[index])
    bottom.axhline(1.0, color="black", linewidth=1)
    bottom.set_xscale("log", base=2)
    bottom.set_xlabel("message size (bytes; 0 B not shown)")
    bottom.set_ylabel("x native")
    bottom.grid(True, alpha=0.4)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _launch_bars(table, path):
    ranks = sorted(table)
    variants = list(table[ranks[0]])
    width = 0.8 / len(variants)
    fig, axes = plt.subplots(2, 1, figsize=(9, 7.5), sharex=True)
    for index, (ax, what) in enumerate(zip(
            axes, ("submit to first guest instruction",
                   "submit to completion"))):
        for v, variant in enumerate(variants):
            xs = [r + (v - (len(variants) - 1) / 2) * width
                  for r in range(len(ranks))]
            ys = [table[n][variant][index] for n in ranks]
            bars = ax.bar(xs, ys, width, label=variant)
            ax.bar_label(bars, fmt="%.0f", fontsize=7, padding=2)
        ax.set_yscale("log")
        ax.set_ylabel(f"{what} (ms, median)")
        ax.grid(True, axis="y", which="major", alpha=0.4)
    axes[0].set_title("Launch latency of a trivial MPI program (MPI_Init, "
                      "barrier, print)")
    axes[0].legend(fontsize=8, ncol=2)
    axes[1].set_xticks(range(len(ranks)), [f"{n} rank{'s' if n > 1 else ''}"
                                           for n in ranks])
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_plots(results, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    written = []
    if results.get("kernels"):
        path = os.path.join(out_dir, "kernels_ratio.png")
        _kernel_bars(results["kernels"], path)
        written.append(path)
    if results.get("pingpong"):
        path = os.path.join(out_dir, "pingpong_latency.png")
        _pingpong(results["pingpong"], path)
        written.append(path)
    if results.get("launch"):
        path = os.path.join(out_dir, "launch_latency.png")
        _launch_bars(results["launch"], path)
        written.append(path)
    return written
