/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What abi_test and cost_bench share to play a pipeline handler against an rkisp1 IPA
 * module: the PinePhone Pro sensor modes, the sensor's V4L2 controls and camera-sensor
 * info as libcamera's CameraSensor reports them, and memfd-backed buffers mapped as the
 * pipeline handler maps its params and stats buffers.
 */

#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <linux/v4l2-controls.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libcamera/base/shared_fd.h>
#include <libcamera/controls.h>
#include <libcamera/framebuffer.h>
#include <libcamera/ipa/rkisp1_ipa_interface.h>

namespace harness {

struct Mode {
	unsigned int width, height;
	uint64_t pixelRate;
	unsigned int hblank, vblankMin, vblankMax;
};

struct Sensor {
	const char *model;
	std::vector<Mode> modes;
	int32_t exposureMin, exposureMargin;
	int32_t gainMin, gainMax, gainDef;
};

/* PinePhone Pro sensor modes (kernel-rkisp1.md §4-6). */
inline const std::vector<Sensor> &sensors()
{
	static const std::vector<Sensor> list = {
		{ "imx258",
		  { { 4208, 3120, 508800000, 1144, 32, 62405 },
		    { 2104, 1560, 256800000, 3248, 32, 63965 },
		    { 1048, 780, 256800000, 4304, 64, 64745 } },
		  4, 10, 0, 480, 0 },
		{ "ov8858",
		  { { 3264, 2448, 288000000, 616, 24, 30319 },
		    { 1632, 1224, 288000000, 2224, 20, 31543 } },
		  4, 4, 0, 2047, 128 },
	};
	return list;
}

/* V4L2 control ids of the sensor (what CameraSensor reports). */
inline const libcamera::ControlId exposureId(V4L2_CID_EXPOSURE, "Exposure", "v4l2", libcamera::ControlTypeInteger32,
					     libcamera::ControlId::Direction::In);
inline const libcamera::ControlId gainId(V4L2_CID_ANALOGUE_GAIN, "Analogue Gain", "v4l2", libcamera::ControlTypeInteger32,
					 libcamera::ControlId::Direction::In);
inline const libcamera::ControlId vblankId(V4L2_CID_VBLANK, "Vertical Blanking", "v4l2", libcamera::ControlTypeInteger32,
					   libcamera::ControlId::Direction::In);
inline const libcamera::ControlId hblankId(V4L2_CID_HBLANK, "Horizontal Blanking", "v4l2", libcamera::ControlTypeInteger32,
					   libcamera::ControlId::Direction::In);
inline const libcamera::ControlIdMap v4l2Ids = {
	{ V4L2_CID_EXPOSURE, &exposureId },
	{ V4L2_CID_ANALOGUE_GAIN, &gainId },
	{ V4L2_CID_VBLANK, &vblankId },
	{ V4L2_CID_HBLANK, &hblankId },
};

inline libcamera::ControlInfoMap sensorControls(const Sensor &s, const Mode &m)
{
	using libcamera::ControlInfo;
	int32_t frameLength = m.height + m.vblankMin;
	libcamera::ControlInfoMap::Map map;
	map.emplace(&exposureId, ControlInfo(s.exposureMin, frameLength - s.exposureMargin, frameLength - s.exposureMargin));
	map.emplace(&gainId, ControlInfo(s.gainMin, s.gainMax, s.gainDef));
	map.emplace(&vblankId, ControlInfo(int32_t(m.vblankMin), int32_t(m.vblankMax), int32_t(m.vblankMin)));
	map.emplace(&hblankId, ControlInfo(int32_t(m.hblank), int32_t(m.hblank), int32_t(m.hblank)));
	return libcamera::ControlInfoMap(std::move(map), v4l2Ids);
}

inline libcamera::IPACameraSensorInfo sensorInfo(const Sensor &s, const Mode &m)
{
	libcamera::IPACameraSensorInfo info{};
	info.model = s.model;
	info.bitsPerPixel = 10;
	info.cfaPattern = 0;
	info.activeAreaSize = libcamera::Size(m.width, m.height);
	info.analogCrop = libcamera::Rectangle(0, 0, m.width, m.height);
	info.outputSize = libcamera::Size(m.width, m.height);
	info.pixelRate = m.pixelRate;
	info.minLineLength = info.maxLineLength = m.width + m.hblank;
	info.minFrameLength = m.height + m.vblankMin;
	info.maxFrameLength = m.height + m.vblankMax;
	return info;
}

/* A memfd of `size` bytes, mapped here as the pipeline handler's buffer would be. */
struct SharedBuffer {
	int fd = -1;
	uint8_t *data = nullptr;
	size_t size = 0;

	SharedBuffer(const char *name, size_t sz)
		: size(sz)
	{
		fd = memfd_create(name, MFD_CLOEXEC);
		if (fd < 0 || ftruncate(fd, size) < 0) {
			std::perror("memfd");
			std::exit(2);
		}
		data = static_cast<uint8_t *>(mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0));
		if (data == MAP_FAILED) {
			std::perror("mmap");
			std::exit(2);
		}
	}
	~SharedBuffer()
	{
		munmap(data, size);
		close(fd);
	}
	SharedBuffer(const SharedBuffer &) = delete;
	SharedBuffer &operator=(const SharedBuffer &) = delete;

	libcamera::IPABuffer ipaBuffer(uint32_t id) const
	{
		libcamera::FrameBuffer::Plane plane;
		plane.fd = libcamera::SharedFD(fd);
		plane.offset = 0;
		plane.length = size;
		return libcamera::IPABuffer(id, std::vector<libcamera::FrameBuffer::Plane>{ plane });
	}
};

} /* namespace harness */
