/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plays libcamera's rkisp1 pipeline handler against a built ipa_rkisp1_rs.so, using only
 * the installed libcamera headers and libraries and the kernel's UAPI header:
 *
 *   abi_test MODULE.so TUNING_DIR
 *
 * dlopen, ipaModuleInfo, ipaCreate; init with the real tuning files; configure every
 * PinePhone Pro sensor mode in both params formats; memfd-backed params and stats buffers;
 * >= 100 frames per configuration with statistics generated in the kernel format from a
 * simple scene (brightness ∝ exposure × gain) that the AE has to converge on; checks of the
 * params bytes, the sensor controls and the metadata; stop/start and reconfigure cycles;
 * garbage statistics and unknown buffer ids. Prints the per-frame cost of
 * computeParams + processStats as seen through the C++ interface.
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
#include <random>
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
using harness::Mode;
using harness::Sensor;
using harness::SharedBuffer;
using harness::sensorControls;
using harness::sensorInfo;

static int failures = 0;

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (!(cond)) {                                                \
			std::fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__,    \
				     __LINE__, #cond);                        \
			std::fprintf(stderr, __VA_ARGS__);                    \
			std::fprintf(stderr, "\n");                           \
			failures++;                                           \
		}                                                             \
	} while (0)

/* Collects the IPA's signals. */
struct Receiver {
	std::map<uint32_t, std::vector<uint32_t>> params;
	std::map<uint32_t, int> metadataCount;
	std::map<uint32_t, ControlList> metadata;
	std::map<uint32_t, ControlList> sensor;

	void onParams(uint32_t frame, uint32_t bytesused) { params[frame].push_back(bytesused); }
	void onSensor(uint32_t frame, const ControlList &c) { sensor[frame] = c; }
	void onMetadata(uint32_t frame, const ControlList &c)
	{
		metadataCount[frame]++;
		metadata[frame] = c;
	}
	void clear()
	{
		params.clear();
		metadataCount.clear();
		metadata.clear();
		sensor.clear();
	}
};

/*
 * Statistics of a flat grey scene whose 8-bit level is `level` (AE cells, histogram in
 * RGB-combined mode, AWB mean of near-grey pixels), in the kernel's layout.
 */
static void fillStats(uint8_t *buf, size_t size, double level, uint32_t pixels)
{
	std::memset(buf, 0, size);
	auto *st = reinterpret_cast<rkisp1_stat_buffer *>(buf);
	uint8_t y = uint8_t(std::clamp(level, 0.0, 255.0));
	st->meas_type = RKISP1_CIF_ISP_STAT_AUTOEXP | RKISP1_CIF_ISP_STAT_AWB | RKISP1_CIF_ISP_STAT_HIST;
	for (unsigned int i = 0; i < RKISP1_CIF_ISP_AE_MEAN_MAX_V10; i++)
		st->params.ae.exp_mean[i] = y;
	unsigned int bin = std::min<unsigned int>(y / 16, RKISP1_CIF_ISP_HIST_BIN_N_MAX_V10 - 1);
	st->params.hist.hist_bins[bin] = pixels << 4;
	st->params.awb.awb_mean[0].cnt = pixels;
	st->params.awb.awb_mean[0].mean_y_or_g = uint8_t(std::min(255.0, 16 + 0.86 * y));
	st->params.awb.awb_mean[0].mean_cb_or_b = 128;
	st->params.awb.awb_mean[0].mean_cr_or_r = 128;
}

/* Check an extensible params buffer: header, 8-byte aligned blocks that fill data_size. */
static void checkExtParams(const uint8_t *buf, size_t mapped, uint32_t bytesused, uint32_t frame)
{
	const auto *cfg = reinterpret_cast<const rkisp1_ext_params_cfg *>(buf);
	CHECK(cfg->version == RKISP1_EXT_PARAM_BUFFER_V1, "frame %u: version %u", frame, cfg->version);
	CHECK(bytesused == offsetof(rkisp1_ext_params_cfg, data) + cfg->data_size,
	      "frame %u: bytesused %u vs header + data_size %u", frame, bytesused, cfg->data_size);
	CHECK(bytesused <= mapped, "frame %u: bytesused %u beyond the mapped %zu", frame, bytesused, mapped);
	size_t off = 0;
	while (off + sizeof(rkisp1_ext_params_block_header) <= cfg->data_size) {
		const auto *h = reinterpret_cast<const rkisp1_ext_params_block_header *>(cfg->data + off);
		CHECK(h->size >= sizeof(*h) && h->size % 8 == 0, "frame %u: block type %u size %u", frame, h->type, h->size);
		CHECK(h->type <= RKISP1_EXT_PARAMS_BLOCK_TYPE_AFC_MEAS, "frame %u: block type %u", frame, h->type);
		if (h->size < sizeof(*h))
			break;
		off += h->size;
	}
	CHECK(off == cfg->data_size, "frame %u: blocks cover %zu of %u bytes", frame, off, cfg->data_size);
}

static bool hasAll(const ControlList &md, std::initializer_list<const ControlId *> ids)
{
	for (const ControlId *id : ids)
		if (!md.contains(id->id()))
			return false;
	return true;
}

/* Every metadata value is an output control, with libcamera's type and array size for it. */
static void checkMetadataTypes(const ControlList &md, uint32_t frame)
{
	for (const auto &[id, value] : md) {
		auto it = controls::controls.find(id);
		CHECK(it != controls::controls.end(), "frame %u: metadata control %u unknown to libcamera", frame, id);
		if (it == controls::controls.end())
			continue;
		const ControlId *cid = it->second;
		CHECK(cid->isOutput(), "frame %u: %s reported but not an output control", frame, cid->name().c_str());
		CHECK(value.type() == cid->type() && value.isArray() == cid->isArray() &&
			      (!cid->isArray() || value.numElements() == cid->size()),
		      "frame %u: %s has type %d × %zu, libcamera's is %d × %zu", frame, cid->name().c_str(),
		      int(value.type()), value.numElements(), int(cid->type()), cid->size());
	}
}

/*
 * Every advertised control is an input, its default of the control's type. One exception:
 * libcamera 0.7 declares ColourTemperature an output only, yet the AWB has always accepted
 * it as a manual setting (ipa/src/algorithms/awb.rs).
 */
static void checkAdvertised(const ControlInfoMap &ipaControls)
{
	for (const auto &[cid, info] : ipaControls) {
		CHECK(cid->isInput() || cid == &controls::ColourTemperature,
		      "%s advertised but not an input control", cid->name().c_str());
		CHECK(info.def().type() == cid->type(), "%s: default of type %d, libcamera's is %d",
		      cid->name().c_str(), int(info.def().type()), int(cid->type()));
	}
}

struct Cost {
	std::vector<double> ns;
};

/* One configure → start → frames → stop cycle. Returns the final scene level. */
static double runSession(IPARkISP1Interface *ipa, Receiver &rx, const Sensor &s, const Mode &m,
			 uint32_t format, size_t paramsSize, unsigned int frames, Cost *cost)
{
	ControlInfoMap sensorCtrls = sensorControls(s, m);
	ipa::rkisp1::IPAConfigInfo config(sensorInfo(s, m), sensorCtrls, format);
	std::map<uint32_t, IPAStream> streams;
	ControlInfoMap ipaControls;
	int ret = ipa->configure(config, streams, &ipaControls);
	CHECK(ret == 0, "%s %ux%u: configure returned %d", s.model, m.width, m.height, ret);
	CHECK(ipaControls.find(&controls::ExposureTime) != ipaControls.end(), "ExposureTime not advertised");
	CHECK(ipaControls.find(&controls::AwbMode) != ipaControls.end(), "AwbMode not advertised");
	checkAdvertised(ipaControls);

	SharedBuffer params("abi-test", paramsSize), stats("abi-test", sizeof(rkisp1_stat_buffer));
	ipa->mapBuffers({ params.ipaBuffer(1), stats.ipaBuffer(2) });
	CHECK(ipa->start() == 0, "start");
	rx.clear();

	int32_t frameLength = m.height + m.vblankMin;
	int32_t exposure = frameLength - s.exposureMargin, gain = s.gainDef, vblank = m.vblankMin;
	/* Scene: a flat grey at half of full scale with the longest exposure and unity gain. */
	double level = 0;
	for (uint32_t frame = 0; frame < frames; frame++) {
		ControlList req(controls::controls);
		if (frame == 10)
			req.set(controls::ExposureValue, 0.0f);
		ipa->queueRequest(frame, req);

		auto t0 = std::chrono::steady_clock::now();
		ipa->computeParams(frame, 1);
		auto t1 = std::chrono::steady_clock::now();

		CHECK(rx.params[frame].size() == 1, "frame %u: %zu paramsComputed", frame, rx.params[frame].size());
		uint32_t bytesused = rx.params[frame].empty() ? 0 : rx.params[frame][0];
		if (format == V4L2_META_FMT_RK_ISP1_PARAMS)
			CHECK(bytesused == sizeof(rkisp1_params_cfg), "frame %u: bytesused %u", frame, bytesused);
		else
			checkExtParams(params.data, params.size, bytesused, frame);

		double g = s.gainMax == 480 ? 512.0 / (512.0 - gain) : std::max(1.0, gain / 128.0);
		level = 255.0 * 0.5 * exposure / frameLength * g;
		fillStats(stats.data, stats.size, level, m.width * m.height / 2);
		ControlList applied(sensorCtrls);
		applied.set(V4L2_CID_EXPOSURE, exposure);
		applied.set(V4L2_CID_ANALOGUE_GAIN, gain);
		applied.set(V4L2_CID_VBLANK, vblank);

		auto t2 = std::chrono::steady_clock::now();
		ipa->processStats(frame, 2, applied);
		auto t3 = std::chrono::steady_clock::now();
		if (cost && frame >= 20)
			cost->ns.push_back(std::chrono::duration<double, std::nano>((t1 - t0) + (t3 - t2)).count());

		CHECK(rx.metadataCount[frame] == 1, "frame %u: %d metadataReady", frame, rx.metadataCount[frame]);
		const ControlList &md = rx.metadata[frame];
		CHECK(hasAll(md, { &controls::ExposureTime, &controls::AnalogueGain, &controls::FrameDuration,
				   &controls::ColourGains, &controls::ColourTemperature, &controls::SensorBlackLevels }),
		      "frame %u: metadata incomplete (%zu entries)", frame, md.size());
		checkMetadataTypes(md, frame);
		auto it = rx.sensor.find(frame);
		CHECK(it != rx.sensor.end(), "frame %u: no setSensorControls", frame);
		if (it != rx.sensor.end()) {
			const ControlList &c = it->second;
			int32_t e = c.get(V4L2_CID_EXPOSURE).get<int32_t>();
			int32_t a = c.get(V4L2_CID_ANALOGUE_GAIN).get<int32_t>();
			int32_t v = c.get(V4L2_CID_VBLANK).get<int32_t>();
			CHECK(a >= s.gainMin && a <= s.gainMax, "frame %u: gain code %d", frame, a);
			CHECK(v >= int32_t(m.vblankMin) && v <= int32_t(m.vblankMax), "frame %u: vblank %d", frame, v);
			CHECK(e >= s.exposureMin && e <= int32_t(m.height) + v - s.exposureMargin, "frame %u: exposure %d (vblank %d)", frame, e, v);
			/* The sensor applies them for a later frame; this loop applies them at once. */
			exposure = e;
			gain = a;
			vblank = v;
			frameLength = m.height + m.vblankMin;
		}
	}
	ipa->stop();
	ipa->unmapBuffers({ 1, 2 });
	return level;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		std::fprintf(stderr, "usage: %s MODULE.so TUNING_DIR\n", argv[0]);
		return 2;
	}
	std::string tuningDir = argv[2];

	void *handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		std::fprintf(stderr, "FAIL dlopen: %s\n", dlerror());
		return 1;
	}
	const auto *info = static_cast<const IPAModuleInfo *>(dlsym(handle, "ipaModuleInfo"));
	CHECK(info, "ipaModuleInfo not exported");
	if (!info)
		return 1;
	CHECK(info->moduleAPIVersion == IPA_MODULE_API_VERSION, "API version %d", info->moduleAPIVersion);
	CHECK(info->pipelineVersion == 1, "pipeline version %u", info->pipelineVersion);
	CHECK(std::string(info->pipelineName) == "rkisp1", "pipeline %s", info->pipelineName);
	CHECK(std::string(info->name) == "rkisp1_rs", "name %s", info->name);
	auto create = reinterpret_cast<IPAInterface *(*)()>(dlsym(handle, "ipaCreate"));
	CHECK(create, "ipaCreate not exported");
	if (!create)
		return 1;

	Cost cost;
	unsigned int sessions = 0;
	for (const Sensor &s : harness::sensors()) {
		auto *ipa = static_cast<IPARkISP1Interface *>(create());
		Receiver rx;
		ipa->paramsComputed.connect(&rx, &Receiver::onParams);
		ipa->setSensorControls.connect(&rx, &Receiver::onSensor);
		ipa->metadataReady.connect(&rx, &Receiver::onMetadata);

		/* A missing tuning file is refused, and the module stays usable. */
		const Mode &boot = s.modes[0];
		ControlInfoMap ipaControls;
		int ret = ipa->init(IPASettings(tuningDir + "/does-not-exist.yaml", s.model), 10, 0xfffff,
				    sensorInfo(s, boot), sensorControls(s, boot), &ipaControls);
		CHECK(ret == -2, "%s: init with a missing tuning file returned %d", s.model, ret);
		ret = ipa->init(IPASettings(tuningDir + "/" + s.model + ".yaml", s.model), 10, 0xfffff,
				sensorInfo(s, boot), sensorControls(s, boot), &ipaControls);
		CHECK(ret == 0, "%s: init returned %d", s.model, ret);
		CHECK(!ipaControls.empty(), "%s: init advertised no controls", s.model);

		for (const Mode &m : s.modes) {
			/* Both formats; RK1E with the mapped sizes of three kernel generations. */
			struct { uint32_t format; size_t size; } formats[] = {
				{ V4L2_META_FMT_RK_ISP1_PARAMS, sizeof(rkisp1_params_cfg) },
				{ V4L2_META_FMT_RK_ISP1_EXT_PARAMS, 3208 },
				{ V4L2_META_FMT_RK_ISP1_EXT_PARAMS, 4400 },
				{ V4L2_META_FMT_RK_ISP1_EXT_PARAMS, 4512 },
			};
			for (auto &f : formats) {
				double level = runSession(ipa, rx, s, m, f.format, f.size, 120, &cost);
				sessions++;
				/* AE target ≈ 16% of full scale on a flat grey scene (8-bit ≈ 41). */
				CHECK(level > 20 && level < 80, "%s %ux%u: scene level %.1f after 120 frames", s.model, m.width, m.height, level);
			}
		}

		/* Stop/start cycles on the last configuration, then garbage and unknown buffers. */
		const Mode &m = s.modes.back();
		ControlInfoMap sensorCtrls = sensorControls(s, m);
		ipa::rkisp1::IPAConfigInfo config(sensorInfo(s, m), sensorCtrls, uint32_t(V4L2_META_FMT_RK_ISP1_EXT_PARAMS));
		std::map<uint32_t, IPAStream> streams;
		CHECK(ipa->configure(config, streams, &ipaControls) == 0, "reconfigure");
		SharedBuffer params("abi-test", 4512), stats("abi-test", sizeof(rkisp1_stat_buffer));
		ipa->mapBuffers({ params.ipaBuffer(7), stats.ipaBuffer(8) });
		std::mt19937 rng(1);
		for (int cycle = 0; cycle < 3; cycle++) {
			CHECK(ipa->start() == 0, "start cycle %d", cycle);
			rx.clear();
			for (uint32_t frame = 0; frame < 40; frame++) {
				ipa->queueRequest(frame, ControlList(controls::controls));
				ipa->computeParams(frame, frame % 10 == 3 ? 999 : 7);
				CHECK(rx.params[frame].size() == 1, "garbage: frame %u: %zu paramsComputed", frame, rx.params[frame].size());
				if (frame % 10 == 3)
					CHECK(rx.params[frame][0] == 0, "unknown params buffer: bytesused %u", rx.params[frame][0]);
				for (size_t i = 0; i < stats.size; i++)
					stats.data[i] = uint8_t(rng());
				ControlList applied(sensorCtrls);
				applied.set(V4L2_CID_EXPOSURE, int32_t(100));
				applied.set(V4L2_CID_ANALOGUE_GAIN, s.gainDef);
				ipa->processStats(frame, frame % 10 == 5 ? 0 : (frame % 10 == 6 ? 999 : 8), applied);
				CHECK(rx.metadataCount[frame] == 1, "garbage: frame %u: %d metadataReady", frame, rx.metadataCount[frame]);
			}
			ipa->stop();
		}
		ipa->unmapBuffers({ 7, 8 });
		delete ipa;
	}

	std::sort(cost.ns.begin(), cost.ns.end());
	if (!cost.ns.empty()) {
		double sum = 0;
		for (double v : cost.ns)
			sum += v;
		std::printf("per-frame cost through IPARkISP1Interface (computeParams + processStats, %zu frames): "
			    "mean %.1f µs, p50 %.1f µs, p99 %.1f µs, max %.1f µs\n",
			    cost.ns.size(), sum / cost.ns.size() / 1000, cost.ns[cost.ns.size() / 2] / 1000,
			    cost.ns[cost.ns.size() * 99 / 100] / 1000, cost.ns.back() / 1000);
	}
	std::printf("%u sessions, %d failures\n", sessions, failures);
	dlclose(handle);
	return failures ? 1 : 0;
}
