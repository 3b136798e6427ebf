// npset_bench: times SET / NPSET epochs of the core per phase and per thread count, with CMake alone
// (no Node.js), so CPU scaling can be measured on any many-core server. Prints a table and JSON.
//
//   npset_bench [--workload leukemia|gisette|wide|custom] [--layers 7070,7000,7000,2] [--samples N]
//               [--batch B] [--epsilon E] [--threads 1,2,4,...] [--epochs N] [--warmup N] [--method set|npset]
//               [--json FILE]
#include <omp.h>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "npset/kernels.hpp"
#include "npset/machine.hpp"
#include "npset/model.hpp"
#include "npset/rng.hpp"

using namespace npset;
using Clock = std::chrono::steady_clock;

namespace {

struct Workload {
    std::string name;
    std::vector<int64_t> layers;
    int64_t samples;
    int batch;
};

Workload named(const std::string& w) {
    if (w == "leukemia") return {"leukemia", {7070, 7000, 7000, 2}, 48, 8};
    if (w == "gisette") return {"gisette", {5000, 5000, 5000, 2}, 4666, 32};
    if (w == "wide") return {"wide", {5000, 100000, 100000, 2}, 4666, 32};
    if (w == "custom") return {"custom", {1000, 1000, 1000, 2}, 1000, 32};
    throw std::invalid_argument("unknown workload " + w + " (leukemia, gisette, wide, custom)");
}

std::vector<int64_t> parse_list(const std::string& s) {
    std::vector<int64_t> v;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ',')) v.push_back(std::stoll(item));
    if (v.empty()) throw std::invalid_argument("empty list: " + s);
    return v;
}

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

int64_t peak_rss_bytes() {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<int64_t>(ru.ru_maxrss) * 1024;
}

std::string read_file(const char* path) {
    std::ifstream f(path);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

std::string cpu_model() {
    std::string info = read_file("/proc/cpuinfo");
    auto p = info.find("model name");
    if (p == std::string::npos) return "unknown";
    auto c = info.find(':', p), e = info.find('\n', p);
    return info.substr(c + 2, e - c - 2);
}

int numa_nodes() {
    int n = 0;
    for (int i = 0; i < 1024; ++i) {
        std::string path = "/sys/devices/system/node/node" + std::to_string(i);
        if (access(path.c_str(), F_OK) != 0) break;
        ++n;
    }
    return std::max(1, n);
}

std::string cache_sizes() {
    std::string out;
    for (int i = 0; i < 8; ++i) {
        std::string base = "/sys/devices/system/cpu/cpu0/cache/index" + std::to_string(i) + "/";
        std::string level = read_file((base + "level").c_str()), size = read_file((base + "size").c_str()),
                    type = read_file((base + "type").c_str());
        if (level.empty()) break;
        auto trim = [](std::string s) { return s.substr(0, s.find_last_not_of(" \n") + 1); };
        if (trim(type) == "Instruction") continue;
        out += (out.empty() ? "" : ", ") + std::string("L") + trim(level) + " " + trim(size);
    }
    return out.empty() ? "unknown" : out;
}

const char* env_or(const char* name, const char* fallback) {
    const char* v = std::getenv(name);
    return v ? v : fallback;
}

struct Row {
    int threads;
    double epoch_ms, forward, backward, update, evolution, pruning, gflops;
    int64_t rss, connections;
    double bytes_per_connection;
};

}  // namespace

int main(int argc, char** argv) {
    // The barrier spinning of the Node package (lib/native.ts): at most 3000 spins unless the user chose a
    // policy. libgomp reads the variable when it loads, before main: set it and start again.
    if (std::getenv("GOMP_SPINCOUNT") == nullptr && std::getenv("OMP_WAIT_POLICY") == nullptr) {
        setenv("GOMP_SPINCOUNT", "3000", 1);
        // With OMP_PROC_BIND or OMP_PLACES, libgomp has bound this thread to the first place, and exec keeps
        // that CPU mask: the new process would see one place and run every thread on it. Give it back first.
        const std::vector<int> cpus = npset::place_cpus();
        if (!cpus.empty()) {
            cpu_set_t set;
            CPU_ZERO(&set);
            for (int c : cpus)
                if (c >= 0 && c < CPU_SETSIZE) CPU_SET(c, &set);
            sched_setaffinity(0, sizeof(set), &set);
        }
        execv("/proc/self/exe", argv);  // returns only on failure: then run with libgomp's default
    }
    try {
        std::string workload = "gisette", method = "set", json_path;
        std::vector<int64_t> threads = {1, 2}, layers;
        int64_t samples = -1, batch = -1, epochs = 2, warmup = 1;
        double epsilon = 20;
        for (int i = 1; i < argc; ++i) {
            std::string a = argv[i];
            auto next = [&]() -> std::string {
                if (i + 1 >= argc) throw std::invalid_argument("missing value for " + a);
                return argv[++i];
            };
            if (a == "--workload") workload = next();
            else if (a == "--layers") layers = parse_list(next());
            else if (a == "--samples") samples = std::stoll(next());
            else if (a == "--batch") batch = std::stoll(next());
            else if (a == "--epsilon") epsilon = std::stod(next());
            else if (a == "--threads") threads = parse_list(next());
            else if (a == "--epochs") epochs = std::stoll(next());
            else if (a == "--warmup") warmup = std::stoll(next());
            else if (a == "--method") method = next();
            else if (a == "--json") json_path = next();
            else if (a == "--help" || a == "-h") {
                std::printf("usage: npset_bench [--workload leukemia|gisette|wide|custom] [--layers a,b,...]\n"
                            "  [--samples N] [--batch B] [--epsilon E] [--threads 1,2,4] [--epochs N] [--warmup N]\n"
                            "  [--method set|npset] [--json FILE]\n");
                return 0;
            } else throw std::invalid_argument("unknown option " + a);
        }
        Workload w = named(workload);
        if (!layers.empty()) w.layers = layers;
        if (samples > 0) w.samples = samples;
        if (batch > 0) w.batch = static_cast<int>(batch);
        if (method != "set" && method != "npset") throw std::invalid_argument("--method must be set or npset");
        if (epochs < 1) throw std::invalid_argument("--epochs must be >= 1");
        if (warmup < 0) throw std::invalid_argument("--warmup must be >= 0");

        // Synthetic data of the workload's shape: standard normal features, balanced labels.
        const int64_t F = w.layers.front(), C = w.layers.back();
        std::vector<float> x(static_cast<size_t>(w.samples * F));
        std::vector<int32_t> y(w.samples);
        {
            Rng rng(42);
            for (auto& v : x) v = static_cast<float>(rng.normal());
            for (int64_t s = 0; s < w.samples; ++s) y[s] = static_cast<int32_t>(s % C);
        }
        DataView data{x.data(), y.data(), w.samples, F};
        // Not omp_get_num_procs(): with OMP_PROC_BIND/OMP_PLACES it counts only the place this thread is bound to.
        const int cores = npset::available_cpus();
        std::printf("workload %s layers", w.name.c_str());
        for (auto n : w.layers) std::printf(" %lld", (long long)n);
        std::printf("  samples %lld batch %d epsilon %g method %s epochs %lld\n", (long long)w.samples, w.batch,
                    epsilon, method.c_str(), (long long)epochs);
        std::printf("cpu %s, %d cores, %d NUMA nodes, caches %s, kernels %s, OMP_PROC_BIND=%s OMP_PLACES=%s "
                    "OMP_WAIT_POLICY=%s GOMP_SPINCOUNT=%s\n",
                    cpu_model().c_str(), cores, numa_nodes(), cache_sizes().c_str(), kernels().isa,
                    env_or("OMP_PROC_BIND", "unset"), env_or("OMP_PLACES", "unset"), env_or("OMP_WAIT_POLICY", "unset"),
                    env_or("GOMP_SPINCOUNT", "unset"));
        const double sgemm = kernels().sgemm_gflops(cores);
        std::printf("dense sgemm (Eigen, %s, %d threads): %.1f GFLOP/s\n\n", kernels().isa, cores, sgemm);
        std::printf("%8s %10s %9s %9s %9s %9s %9s %8s %8s %6s %10s %6s\n", "threads", "epoch ms", "forward",
                    "backward", "update", "evolve", "prune", "GFLOP/s", "speedup", "eff", "peak RSS", "B/conn");

        // One model per thread count (the same seed builds the same topology). When they fit in memory
        // together (a quarter of it), the thread counts take turns epoch by epoch, so a shared, noisy
        // machine slows every row alike; otherwise one thread count after another.
        double model_estimate = 0;
        for (size_t l = 0; l + 1 < w.layers.size(); ++l) {
            const double a = double(w.layers[l]), b = double(w.layers[l + 1]);
            model_estimate += std::min(a * b, epsilon * (a + b)) * 20.0 + (a + b) * w.batch * 16.0;
        }
        const double phys = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGESIZE));
        const bool interleaved = threads.size() > 1 && double(threads.size()) * model_estimate < phys / 4;
        std::printf("(%lld warm-up epoch%s per thread count, then %lld timed%s)\n", (long long)warmup,
                    warmup == 1 ? "" : "s", (long long)epochs,
                    interleaved ? "; thread counts in turn, epoch by epoch" : "");

        std::vector<Row> rows(threads.size());
        std::vector<double> flops(threads.size(), 0.0);
        auto make_model = [&](size_t i) {
            ModelConfig mc;
            mc.layers = w.layers;
            mc.epsilon = epsilon;
            mc.seed = 1;
            mc.threads = static_cast<int>(threads[i]);
            rows[i].threads = mc.threads;
            return std::make_unique<Model>(mc);
        };
        auto run_epoch = [&](Model& model, size_t i, int64_t e) {
            Row& r = rows[i];
            TrainConfig tc;
            tc.batch_size = w.batch;
            // Useful work: forward and weight gradient 2*batch*connections each per sample pass;
            // input gradient the same for every layer but the first.
            Topology topo = model.topology();
            double conn = 0, conn_in = 0;
            for (size_t l = 0; l < topo.connections.size(); ++l) {
                conn += double(topo.connections[l]);
                if (l > 0) conn_in += double(topo.connections[l]);
            }
            auto t0 = Clock::now();
            double prune_ms = 0;
            if (method == "npset") {
                PruneConfig pc;
                for (size_t h = 1; h + 1 < w.layers.size(); ++h) pc.hidden_layers.push_back(static_cast<int>(h));
                prune_ms = model.prune_neurons(pc).ms;
            }
            EpochResult er = model.train_epoch(data, tc, static_cast<uint64_t>(e));
            EvolutionResult ev = model.evolve(EvolutionConfig{}, static_cast<uint64_t>(e));
            if (e < warmup) return;
            flops[i] += 2.0 * double(w.samples) * (2 * conn + conn_in);
            r.epoch_ms += ms_since(t0);
            r.forward += er.times.forward_ms;
            r.backward += er.times.backward_ms;
            r.update += er.times.update_ms;
            r.evolution += ev.ms;
            r.pruning += prune_ms;
        };
        auto finish = [&](Model& model, size_t i) {
            Row& r = rows[i];
            const double train_ms = r.forward + r.backward + r.update;
            r.gflops = flops[i] / (train_ms * 1e6);
            for (double* v : {&r.epoch_ms, &r.forward, &r.backward, &r.update, &r.evolution, &r.pruning})
                *v /= double(epochs);
            MemoryStats mem = model.memory();
            r.connections = mem.connections;
            r.bytes_per_connection = double(mem.model_bytes) / double(std::max<int64_t>(1, mem.connections));
            r.rss = peak_rss_bytes();
            const double speedup = rows.front().epoch_ms / r.epoch_ms;
            const double eff = speedup / (double(r.threads) / double(rows.front().threads));
            std::printf("%8d%s %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %8.1f %8.2f %6.2f %9.0fM %6.1f\n", r.threads,
                        r.threads > cores ? "*" : " ", r.epoch_ms, r.forward, r.backward, r.update, r.evolution,
                        r.pruning, r.gflops, speedup, eff, double(r.rss) / 1048576.0, r.bytes_per_connection);
            std::fflush(stdout);
        };
        if (interleaved) {
            std::vector<std::unique_ptr<Model>> models;
            for (size_t i = 0; i < threads.size(); ++i) models.push_back(make_model(i));
            for (int64_t e = 0; e < warmup + epochs; ++e)
                for (size_t i = 0; i < threads.size(); ++i) run_epoch(*models[i], i, e);
            for (size_t i = 0; i < threads.size(); ++i) finish(*models[i], i);
        } else {
            for (size_t i = 0; i < threads.size(); ++i) {
                auto model = make_model(i);
                for (int64_t e = 0; e < warmup + epochs; ++e) run_epoch(*model, i, e);
                finish(*model, i);
            }
        }
        if (!json_path.empty()) {
            std::ofstream j(json_path);
            j << "{\"workload\":\"" << w.name << "\",\"method\":\"" << method << "\",\"layers\":[";
            for (size_t i = 0; i < w.layers.size(); ++i) j << (i ? "," : "") << w.layers[i];
            j << "],\"samples\":" << w.samples << ",\"batch\":" << w.batch << ",\"epsilon\":" << epsilon
              << ",\"epochs\":" << epochs << ",\"warmup\":" << warmup << ",\"interleaved\":" << (interleaved ? "true" : "false")
              << ",\"sgemmGflops\":" << sgemm << ",\"kernels\":\"" << kernels().isa << "\",\"machine\":{\"cpu\":\""
              << cpu_model() << "\",\"cores\":" << cores << ",\"ompPlaceCount\":" << omp_get_num_places() << ",\"numaNodes\":" << numa_nodes() << ",\"caches\":\""
              << cache_sizes() << "\",\"ompProcBind\":\"" << env_or("OMP_PROC_BIND", "") << "\",\"ompPlaces\":\""
              << env_or("OMP_PLACES", "") << "\",\"ompWaitPolicy\":\"" << env_or("OMP_WAIT_POLICY", "")
              << "\",\"gompSpinCount\":\"" << env_or("GOMP_SPINCOUNT", "") << "\"},\"rows\":[";
            for (size_t i = 0; i < rows.size(); ++i) {
                const Row& r = rows[i];
                const double speedup = rows.front().epoch_ms / r.epoch_ms;
                j << (i ? "," : "") << "{\"threads\":" << r.threads << ",\"oversubscribed\":"
                  << (r.threads > cores ? "true" : "false") << ",\"epochMs\":" << r.epoch_ms
                  << ",\"phasesMs\":{\"forward\":" << r.forward << ",\"backward\":" << r.backward
                  << ",\"update\":" << r.update << ",\"evolution\":" << r.evolution << ",\"pruning\":" << r.pruning
                  << "},\"gflops\":" << r.gflops << ",\"speedup\":" << speedup << ",\"efficiency\":"
                  << speedup / (double(r.threads) / double(rows.front().threads)) << ",\"peakRssBytes\":" << r.rss
                  << ",\"connections\":" << r.connections << ",\"bytesPerConnection\":" << r.bytes_per_connection
                  << "}";
            }
            j << "]}\n";
            std::printf("\nwrote %s\n", json_path.c_str());
        }
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "npset_bench: %s\n", e.what());
        return 2;
    }
}
