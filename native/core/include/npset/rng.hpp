// Deterministic random numbers. Streams are derived from (seed, purpose, epoch, layer, block),
// never from the thread id, so a seed gives the same model for every thread count.
#pragma once
#include <cmath>
#include <cstdint>

namespace npset {

inline uint64_t splitmix64(uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

// Hash several words into one stream id.
inline uint64_t derive_seed(uint64_t seed, uint64_t a, uint64_t b = 0, uint64_t c = 0, uint64_t d = 0) {
    uint64_t h = splitmix64(seed ^ 0x6E70736574ULL);
    h = splitmix64(h ^ a);
    h = splitmix64(h ^ (b + 0x1234567ULL));
    h = splitmix64(h ^ (c + 0x89ABCDEULL));
    return splitmix64(h ^ (d + 0xF00DULL));
}

// Stream purposes.
enum : uint64_t {
    kStreamTopology = 1,
    kStreamWeights = 2,
    kStreamShuffle = 3,
    kStreamDropout = 4,
    kStreamEvolution = 5,
    kStreamRegrowWeights = 6,
};

// xoshiro256**: fast, good quality, 256-bit state.
class Rng {
public:
    explicit Rng(uint64_t seed) {
        uint64_t x = seed;
        for (auto& w : s_) {
            x += 0x9E3779B97F4A7C15ULL;
            w = splitmix64(x);
        }
    }
    uint64_t next() {
        const uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }
    // Uniform integer in [0, n), n > 0 (Lemire's multiply-shift; bias < 2^-64 * n, negligible).
    uint64_t below(uint64_t n) {
        return static_cast<uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
    }
    // Uniform in [0, 1).
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
    float uniform(float lo, float hi) { return lo + static_cast<float>(uniform()) * (hi - lo); }
    double normal() {
        // Box-Muller; the second value is dropped to keep streams simple.
        double u1 = uniform();
        double u2 = uniform();
        if (u1 < 1e-300) u1 = 1e-300;
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
    // Binomial(n, p) sample: exact inversion for small mean, normal approximation otherwise.
    uint64_t binomial(uint64_t n, double p);

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t s_[4];
};

inline uint64_t Rng::binomial(uint64_t n, double p) {
    if (n == 0 || p <= 0) return 0;
    if (p >= 1) return n;
    const bool flip = p > 0.5;
    const double q = flip ? 1 - p : p;
    const double mean = static_cast<double>(n) * q;
    uint64_t k;
    if (mean < 30) {
        // Inversion by sequential search (geometric waiting times).
        const double lq = std::log1p(-q);
        uint64_t count = 0;
        uint64_t pos = 0;
        for (;;) {
            double u = uniform();
            if (u < 1e-300) u = 1e-300;
            const double skip = std::floor(std::log(u) / lq);
            if (skip >= static_cast<double>(n - pos)) break;
            pos += static_cast<uint64_t>(skip) + 1;
            ++count;
            if (pos >= n) break;
        }
        k = count;
    } else {
        const double sd = std::sqrt(mean * (1 - q));
        double v = std::round(mean + sd * normal());
        if (v < 0) v = 0;
        if (v > static_cast<double>(n)) v = static_cast<double>(n);
        k = static_cast<uint64_t>(v);
    }
    return flip ? n - k : k;
}

// Counter-based uniform in [0, 1) for dropout masks: one value per (stream, index).
inline float hash_uniform(uint64_t stream, uint64_t index) {
    return static_cast<float>(splitmix64(stream ^ splitmix64(index)) >> 40) * 0x1.0p-24f;
}

}  // namespace npset
