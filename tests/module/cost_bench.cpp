/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-frame cost of rkisp1 IPA modules through libcamera's IPARkISP1Interface, side by
 * side in one process:
 *
 *   cost_bench [--frames N] [--max-ratio R] OURS.so OURS_TUNING.yaml [OTHER.so OTHER_TUNING.yaml]...
 *
 * Each module is loaded as libcamera loads it (dlopen, ipaModuleInfo, ipaCreate), then
 * init (imx258 tuning file, ISP V10), configure (imx258 4208x3120, extensible params),
 * mapBuffers (memfd params and stats buffers) and start. Then frame after frame, the
 * modules taking turns: queueRequest, computeParams, processStats, with the applied sensor
 * controls being the ones the module last asked for.
 *
 * Both modules see the same scene, its statistics generated in the kernel's layout
 * (struct rkisp1_stat_buffer, V10: 25 AE means, 16 histogram bins, the AWB mean): a
 * textured, colourful scene under a 4000 K light (a lit wall with a window, a colour
 * chart, foliage, a red object and a lamp). The camera pans slowly and the light flickers
 * a little, and every frame has its own noise, so every algorithm has work to do. The
 * scene's brightness follows the exposure and gain each module applied (a closed loop, so
 * the AE settles rather than running to a limit); everything else is the same for both.
 * The AWB mean is that of the near-grey pixels after gains that neutralise the light, as
 * the hardware measures it once the white balance has settled. The statistics are
 * generated outside the timed calls.
 *
 * Timed: computeParams + processStats (the real-time path), as abi_test times it.
 * Printed: mean, trimmed mean (the slowest 5% dropped), p50, p90, p99 and max per module,
 * and the ratios of the first module (ours) to each other one (upstream, possibly with
 * several tuning files). The trimmed mean is the figure to compare on a busy machine: a
 * frame during which the process was preempted costs a scheduler tick (4 ms) or more,
 * and a few such frames swamp the mean of either module.
 * With --max-ratio, exits 1 when a ratio of the trimmed means exceeds R.
 */

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <linux/rkisp1-config.h>
#include <linux/v4l2-controls.h>
#include <linux/videodev2.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libcamera/base/shared_fd.h>
#include <libcamera/control_ids.h>
#include <libcamera/controls.h>
#include <libcamera/framebuffer.h>
#include <libcamera/ipa/ipa_interface.h>
#include <libcamera/ipa/ipa_module_info.h>
#include <libcamera/ipa/rkisp1_ipa_interface.h>

#include "harness.h"

using namespace libcamera;
using ipa::rkisp1::IPARkISP1Interface;

/* imx258 full-resolution mode of the PinePhone Pro (as in abi_test). */
static const harness::Sensor &kSensor = harness::sensors()[0];
static const harness::Mode &kMode = kSensor.modes[0];
static const unsigned int kWidth = kMode.width, kHeight = kMode.height, kVblankMin = kMode.vblankMin;
static const int32_t kExposureMargin = kSensor.exposureMargin;
static const int32_t kGainMin = kSensor.gainMin, kGainMax = kSensor.gainMax, kGainDef = kSensor.gainDef;

/* ---- The scene and its statistics ------------------------------------------------- */

/* Scene texels: each stands for a 20 x 20 pixel block of the 4208 x 3120 frame. */
static constexpr int kSceneW = 210, kSceneH = 156;
/* Camera white of the 4000 K light (1 / the tuning's white-balance gains at 4000 K). */
static constexpr double kLightR = 1 / 1.363, kLightB = 1 / 1.893;

struct Rgb {
	double r, g, b;
};

/* A small deterministic generator (the same sequence on every machine). */
struct Lcg {
	uint64_t s;
	explicit Lcg(uint64_t seed)
		: s(seed) {}
	double uniform()
	{
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		return double(s >> 11) / double(1ULL << 53);
	}
};

/* Reflectances (linear RGB) of the 24 patches of a colour chart. */
static const Rgb kChart[24] = {
	{ 0.17, 0.08, 0.05 }, { 0.55, 0.30, 0.22 }, { 0.11, 0.19, 0.34 }, { 0.10, 0.15, 0.05 },
	{ 0.23, 0.22, 0.44 }, { 0.13, 0.52, 0.41 }, { 0.68, 0.20, 0.03 }, { 0.07, 0.10, 0.39 },
	{ 0.54, 0.08, 0.12 }, { 0.10, 0.04, 0.14 }, { 0.33, 0.50, 0.05 }, { 0.74, 0.37, 0.02 },
	{ 0.03, 0.05, 0.28 }, { 0.06, 0.30, 0.07 }, { 0.44, 0.03, 0.04 }, { 0.82, 0.58, 0.01 },
	{ 0.50, 0.08, 0.29 }, { 0.00, 0.22, 0.37 }, { 0.88, 0.88, 0.86 }, { 0.58, 0.59, 0.59 },
	{ 0.36, 0.36, 0.36 }, { 0.19, 0.19, 0.19 }, { 0.09, 0.09, 0.09 }, { 0.03, 0.03, 0.03 },
};

/* Reflectance of the scene at texel (x, y) of a panorama wider than the frame. */
static Rgb reflectance(int x, int y, const std::vector<double> &texture)
{
	double t = texture[(y % kSceneH) * (kSceneW * 2) + (x % (kSceneW * 2))];
	/* A window in the upper left: bright, bluish daylight through it. */
	if (y < 40 && x % 240 > 20 && x % 240 < 90)
		return { 1.4 * t, 1.6 * t, 2.2 * t };
	/* A lamp: a small clipped highlight. */
	if (y > 10 && y < 18 && x % 240 > 150 && x % 240 < 158)
		return { 8, 8, 7 };
	/* Foliage along the bottom. */
	if (y > 125)
		return { 0.06 * t, 0.14 * t, 0.04 * t };
	/* A red object on the right. */
	if (y > 90 && x % 240 > 170 && x % 240 < 200)
		return { 0.45 * t, 0.05 * t, 0.05 * t };
	/* The colour chart in the middle: 6 x 4 patches of 10 x 10 texels with dark frames. */
	int cx = x % 240 - 80, cy = y - 50;
	if (cx >= 0 && cx < 72 && cy >= 0 && cy < 48) {
		int px = cx / 12, py = cy / 12;
		if (cx % 12 < 2 || cy % 12 < 2)
			return { 0.03, 0.03, 0.03 };
		const Rgb &c = kChart[py * 6 + px];
		return { c.r, c.g, c.b };
	}
	/* A warm-white textured wall. */
	return { 0.47 * t, 0.45 * t, 0.41 * t };
}

/*
 * Statistics of frame `frame`: the frame sees the panorama from a slowly panning offset,
 * under a light flickering by ±1.5%, with per-texel noise, at `exposure` (exposure lines
 * times analogue gain).
 */
static void renderStats(unsigned int frame, double exposure, const std::vector<double> &texture,
			rkisp1_stat_buffer *st)
{
	std::memset(st, 0, sizeof(*st));
	st->meas_type = RKISP1_CIF_ISP_STAT_AUTOEXP | RKISP1_CIF_ISP_STAT_AWB | RKISP1_CIF_ISP_STAT_HIST;
	st->frame_id = frame;

	Lcg noise(0x9e3779b97f4a7c15ULL ^ frame);
	int pan = int(frame / 3) % 30;
	double flicker = 1.0 + 0.015 * std::sin(2 * M_PI * frame / 17.0);
	/* At 1500 lines and unity gain, the wall sits near 18% of full scale. */
	double scale = 0.40 * flicker * exposure / 1500;
	/* White-balance gains that neutralise the light (the settled state). */
	const double wbR = 1 / kLightR, wbB = 1 / kLightB;

	double aeSum[25] = {};
	unsigned int aeCount[25] = {};
	uint64_t hist[16] = {};
	double awbY = 0, awbCb = 0, awbCr = 0;
	unsigned int awbCount = 0;
	for (int y = 0; y < kSceneH; y++) {
		for (int x = 0; x < kSceneW; x++) {
			Rgb refl = reflectance(x + pan, y, texture);
			double n = 1.0 + 0.03 * (noise.uniform() - 0.5);
			/* Camera RGB, linear, 1.0 = full scale. */
			double r = std::min(1.0, refl.r * kLightR * scale * n);
			double g = std::min(1.0, refl.g * scale * n);
			double b = std::min(1.0, refl.b * kLightB * scale * n);
			double luma = 255 * (0.299 * r + 0.587 * g + 0.114 * b);

			int cell = (y * 5 / kSceneH) * 5 + x * 5 / kSceneW;
			aeSum[cell] += luma;
			aeCount[cell]++;
			hist[std::min(15, int(luma) / 16)]++;

			/* AWB: inside the centre window, after the gains, near-grey pixels only. */
			if (x < kSceneW / 16 || x >= kSceneW * 15 / 16 || y < kSceneH / 16 || y >= kSceneH * 15 / 16)
				continue;
			double R = std::min(1.0, r * wbR) * 255, G = g * 255, B = std::min(1.0, b * wbB) * 255;
			double Y = 16 + 0.257 * R + 0.504 * G + 0.098 * B;
			double Cb = 128 - 0.148 * R - 0.291 * G + 0.439 * B;
			double Cr = 128 + 0.439 * R - 0.368 * G - 0.071 * B;
			if (Y < 20 || Y > 230 || std::abs(Cb - 128) + std::abs(Cr - 128) > 24)
				continue;
			awbY += Y;
			awbCb += Cb;
			awbCr += Cr;
			awbCount++;
		}
	}
	for (unsigned int i = 0; i < RKISP1_CIF_ISP_AE_MEAN_MAX_V10; i++)
		st->params.ae.exp_mean[i] = uint8_t(std::lround(aeSum[i] / std::max(1u, aeCount[i])));
	/* The histogram counts a subsampled frame (~60000 samples), with 4 fractional bits. */
	const double samples = 60000.0 / (kSceneW * kSceneH);
	for (unsigned int i = 0; i < RKISP1_CIF_ISP_HIST_BIN_N_MAX_V10; i++)
		st->params.hist.hist_bins[i] = uint32_t(std::lround(hist[i] * samples)) << 4;
	const double pixelsPerTexel = double(kWidth) * kHeight / (kSceneW * kSceneH);
	auto &awb = st->params.awb.awb_mean[0];
	awb.cnt = uint32_t(awbCount * pixelsPerTexel);
	if (awbCount) {
		awb.mean_y_or_g = uint8_t(std::lround(awbY / awbCount));
		awb.mean_cb_or_b = uint8_t(std::lround(awbCb / awbCount));
		awb.mean_cr_or_r = uint8_t(std::lround(awbCr / awbCount));
	}
}

/* Texture of the panorama: smooth blotches times fine grain, around 1.0. */
static std::vector<double> makeTexture()
{
	Lcg rng(12345);
	const int w = kSceneW * 2, h = kSceneH;
	const int coarse = 12;
	std::vector<double> grid(((w / coarse) + 2) * ((h / coarse) + 2));
	for (double &v : grid)
		v = 0.75 + 0.5 * rng.uniform();
	const int gw = w / coarse + 2;
	std::vector<double> t(w * h);
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			double fx = double(x) / coarse, fy = double(y) / coarse;
			int ix = int(fx), iy = int(fy);
			double ax = fx - ix, ay = fy - iy;
			double top = grid[iy * gw + ix] * (1 - ax) + grid[iy * gw + ix + 1] * ax;
			double bottom = grid[(iy + 1) * gw + ix] * (1 - ax) + grid[(iy + 1) * gw + ix + 1] * ax;
			t[y * w + x] = (top * (1 - ay) + bottom * ay) * (0.9 + 0.2 * rng.uniform());
		}
	}
	return t;
}

/* ---- The modules -------------------------------------------------------------------- */

struct Module {
	std::string label, path, tuning;
	void *handle = nullptr;
	IPARkISP1Interface *ipa = nullptr;
	std::unique_ptr<harness::SharedBuffer> params, stats;
	ControlInfoMap sensorCtrls;
	int32_t exposure = 0, gain = kGainDef, vblank = kVblankMin;
	unsigned int paramsSignals = 0, metadataSignals = 0;
	std::vector<double> total, compute, process;

	void onParams(uint32_t, uint32_t) { paramsSignals++; }
	void onMetadata(uint32_t, const ControlList &) { metadataSignals++; }
	void onSensor(uint32_t, const ControlList &c)
	{
		/* The controls the sensor applies, handed back with the next statistics. */
		if (c.contains(V4L2_CID_EXPOSURE))
			exposure = c.get(V4L2_CID_EXPOSURE).get<int32_t>();
		if (c.contains(V4L2_CID_ANALOGUE_GAIN))
			gain = c.get(V4L2_CID_ANALOGUE_GAIN).get<int32_t>();
		if (c.contains(V4L2_CID_VBLANK))
			vblank = c.get(V4L2_CID_VBLANK).get<int32_t>();
	}
};

static bool load(Module &m)
{
	m.handle = dlopen(m.path.c_str(), RTLD_NOW | RTLD_LOCAL);
	if (!m.handle) {
		std::fprintf(stderr, "%s: dlopen: %s\n", m.label.c_str(), dlerror());
		return false;
	}
	const auto *info = static_cast<const IPAModuleInfo *>(dlsym(m.handle, "ipaModuleInfo"));
	auto create = reinterpret_cast<IPAInterface *(*)()>(dlsym(m.handle, "ipaCreate"));
	if (!info || !create) {
		std::fprintf(stderr, "%s: ipaModuleInfo or ipaCreate missing\n", m.label.c_str());
		return false;
	}
	if (info->moduleAPIVersion != IPA_MODULE_API_VERSION || std::string(info->pipelineName) != "rkisp1") {
		std::fprintf(stderr, "%s: not an rkisp1 module of API %d (API %d, pipeline %s)\n", m.label.c_str(),
			     IPA_MODULE_API_VERSION, info->moduleAPIVersion, info->pipelineName);
		return false;
	}
	/* The tuning file's directory and name: Debian's rkisp1/imx258.yaml or the repository's tuning/imx258.yaml. */
	size_t slash = m.tuning.find_last_of('/');
	size_t dir = slash == std::string::npos || slash == 0 ? std::string::npos : m.tuning.find_last_of('/', slash - 1);
	m.label = std::string(info->name) + " + " + (dir == std::string::npos ? m.tuning : m.tuning.substr(dir + 1));
	m.ipa = static_cast<IPARkISP1Interface *>(create());
	m.ipa->paramsComputed.connect(&m, &Module::onParams);
	m.ipa->setSensorControls.connect(&m, &Module::onSensor);
	m.ipa->metadataReady.connect(&m, &Module::onMetadata);

	m.sensorCtrls = harness::sensorControls(kSensor, kMode);
	ControlInfoMap ipaControls;
	int ret = m.ipa->init(IPASettings(m.tuning, "imx258"), 10, 0xfffff, harness::sensorInfo(kSensor, kMode), m.sensorCtrls, &ipaControls);
	if (ret) {
		std::fprintf(stderr, "%s: init with %s returned %d\n", m.label.c_str(), m.tuning.c_str(), ret);
		return false;
	}
	ipa::rkisp1::IPAConfigInfo config(harness::sensorInfo(kSensor, kMode), m.sensorCtrls, uint32_t(V4L2_META_FMT_RK_ISP1_EXT_PARAMS));
	std::map<uint32_t, IPAStream> streams;
	ret = m.ipa->configure(config, streams, &ipaControls);
	if (ret) {
		std::fprintf(stderr, "%s: configure returned %d\n", m.label.c_str(), ret);
		return false;
	}
	m.params = std::make_unique<harness::SharedBuffer>("cost-bench", sizeof(rkisp1_ext_params_cfg));
	m.stats = std::make_unique<harness::SharedBuffer>("cost-bench", sizeof(rkisp1_stat_buffer));
	m.ipa->mapBuffers({ m.params->ipaBuffer(1), m.stats->ipaBuffer(2) });
	m.exposure = kHeight + kVblankMin - kExposureMargin;
	if (m.ipa->start()) {
		std::fprintf(stderr, "%s: start failed\n", m.label.c_str());
		return false;
	}
	return true;
}

/* imx258: analogue gain code → gain. */
static double analogueGain(int32_t code)
{
	return 512.0 / (512.0 - std::clamp(code, kGainMin, kGainMax));
}

static void runFrame(Module &m, uint32_t frame, const std::vector<double> &texture, bool timed)
{
	m.ipa->queueRequest(frame, ControlList(controls::controls));

	auto t0 = std::chrono::steady_clock::now();
	m.ipa->computeParams(frame, 1);
	auto t1 = std::chrono::steady_clock::now();

	renderStats(frame, m.exposure * analogueGain(m.gain), texture,
		    reinterpret_cast<rkisp1_stat_buffer *>(m.stats->data));
	ControlList applied(m.sensorCtrls);
	applied.set(V4L2_CID_EXPOSURE, m.exposure);
	applied.set(V4L2_CID_ANALOGUE_GAIN, m.gain);
	applied.set(V4L2_CID_VBLANK, m.vblank);

	auto t2 = std::chrono::steady_clock::now();
	m.ipa->processStats(frame, 2, applied);
	auto t3 = std::chrono::steady_clock::now();
	if (timed) {
		double c = std::chrono::duration<double, std::micro>(t1 - t0).count();
		double p = std::chrono::duration<double, std::micro>(t3 - t2).count();
		m.compute.push_back(c);
		m.process.push_back(p);
		m.total.push_back(c + p);
	}
}

struct Summary {
	double mean, trimmed, p50, p90, p99, max;
};

static Summary summarise(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	double sum = 0, kept = 0;
	size_t keep = std::max<size_t>(1, v.size() * 95 / 100);
	for (size_t i = 0; i < v.size(); i++) {
		sum += v[i];
		if (i < keep)
			kept += v[i];
	}
	auto at = [&](size_t percent) { return v[std::min(v.size() - 1, v.size() * percent / 100)]; };
	return { sum / v.size(), kept / keep, at(50), at(90), at(99), v.back() };
}

static double mean(const std::vector<double> &v)
{
	double sum = 0;
	for (double x : v)
		sum += x;
	return sum / v.size();
}

int main(int argc, char **argv)
{
	unsigned int frames = 400;
	double maxRatio = 0;
	std::vector<std::string> args;
	for (int i = 1; i < argc; i++) {
		std::string a = argv[i];
		if (a == "--frames" && i + 1 < argc)
			frames = std::max(10, std::atoi(argv[++i]));
		else if (a == "--max-ratio" && i + 1 < argc)
			maxRatio = std::atof(argv[++i]);
		else
			args.push_back(a);
	}
	if (args.empty() || args.size() % 2) {
		std::fprintf(stderr, "usage: %s [--frames N] [--max-ratio R] OURS.so OURS_TUNING.yaml "
				     "[OTHER.so OTHER_TUNING.yaml]...\n", argv[0]);
		return 2;
	}

	std::vector<Module> modules(args.size() / 2);
	for (size_t i = 0; i < modules.size(); i++) {
		modules[i].label = i == 0 ? "ours" : "other";
		modules[i].path = args[2 * i];
		modules[i].tuning = args[2 * i + 1];
	}
	for (Module &m : modules)
		if (!load(m))
			return 1;

	const unsigned int warmup = 30;
	std::vector<double> texture = makeTexture();
	rkisp1_stat_buffer first;
	renderStats(0, 1500, texture, &first);
	std::printf("scene statistics at 1500 lines, unity gain: AE means %u..%u, AWB mean Y/Cb/Cr %u/%u/%u over %u pixels\n",
		    *std::min_element(first.params.ae.exp_mean, first.params.ae.exp_mean + 25),
		    *std::max_element(first.params.ae.exp_mean, first.params.ae.exp_mean + 25),
		    first.params.awb.awb_mean[0].mean_y_or_g, first.params.awb.awb_mean[0].mean_cb_or_b,
		    first.params.awb.awb_mean[0].mean_cr_or_r, first.params.awb.awb_mean[0].cnt);

	/* The modules take turns frame by frame, so that both see the same machine state. */
	for (uint32_t f = 0; f < warmup + frames; f++)
		for (Module &m : modules)
			runFrame(m, f, texture, f >= warmup);

	int failures = 0;
	for (Module &m : modules) {
		m.ipa->stop();
		m.ipa->unmapBuffers({ 1, 2 });
		if (m.paramsSignals != warmup + frames || m.metadataSignals != warmup + frames) {
			std::fprintf(stderr, "FAIL %s: %u paramsComputed and %u metadataReady for %u frames\n",
				     m.label.c_str(), m.paramsSignals, m.metadataSignals, warmup + frames);
			failures++;
		}
		Summary s = summarise(m.total);
		std::printf("%-35s computeParams + processStats, %u frames of imx258 4208x3120: mean %.1f µs "
			    "(computeParams %.1f, processStats %.1f), trimmed mean %.1f µs, p50 %.1f µs, p90 %.1f µs, "
			    "p99 %.1f µs, max %.1f µs; final exposure %d, gain code %d\n",
			    m.label.c_str(), frames, s.mean, mean(m.compute), mean(m.process), s.trimmed, s.p50, s.p90,
			    s.p99, s.max, m.exposure, m.gain);
	}
	Summary ours = summarise(modules[0].total);
	for (size_t i = 1; i < modules.size(); i++) {
		Summary other = summarise(modules[i].total);
		double ratio = ours.trimmed / other.trimmed;
		std::printf("side by side: %s / %s = %.2f (trimmed mean), %.2f (p50), %.2f (p90), %.2f (mean)\n",
			    modules[0].label.c_str(), modules[i].label.c_str(), ratio, ours.p50 / other.p50,
			    ours.p90 / other.p90, ours.mean / other.mean);
		if (maxRatio > 0 && ratio > maxRatio) {
			std::fprintf(stderr, "FAIL %s costs %.2f times %s per frame (allowed %.2f)\n",
				     modules[0].label.c_str(), ratio, modules[i].label.c_str(), maxRatio);
			failures++;
		}
	}
	for (Module &m : modules)
		delete m.ipa;
	return failures ? 1 : 0;
}
