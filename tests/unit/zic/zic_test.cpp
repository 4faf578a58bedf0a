// The two bundle parsers: the ZIC image config (libphi/zic_config.cpp,
// <rootfs>/boot/config.json, docs/zic-config.md) and the part of the OCI
// runtime-spec config.json runphi uses (libphi/oci_spec.cpp).
#include <phi/error.hpp>
#include <phi/oci_spec.hpp>
#include <phi/zic_config.hpp>

#include "../test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <climits>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <thread>
#include <vector>

namespace {

using phi::DiskType;
using phi::ErrorCode;
using phi::GuestOs;
using phi::NetMode;
using phi::OciSpec;
using phi::ZicConfig;
using phitest::capturePhiError;
using phitest::CwdGuard;
using phitest::symlinkOrDie;
using phitest::TempDir;
using phitest::writeFile;

// =====================================================================
// ZIC config: parseZicConfig
// =====================================================================

const std::string kOrigin = "/r/boot/config.json";

ZicConfig parseZic(const std::string& json) {
  return phi::parseZicConfig(json, kOrigin);
}

phi::Error zicError(const std::string& json) {
  return capturePhiError([&] { parseZic(json); });
}

// Asserts `json` is refused with `code` and a message that starts with the
// origin and contains every needle.
void expectZicError(const std::string& json, ErrorCode code, const std::vector<std::string>& needles) {
  SCOPED_TRACE("json: " + json);
  phi::Error e = zicError(json);
  EXPECT_EQ(e.code(), code) << e.what();
  EXPECT_EQ(std::string(e.what()).rfind(kOrigin + ": ", 0), 0u) << e.what();
  for (const std::string& needle : needles) EXPECT_CONTAINS(e.what(), needle);
}

TEST(ZicParseTest, MinimalConfigGetsDefaults) {
  ZicConfig c = parseZic(R"({"os_var": "zephyr"})");
  EXPECT_EQ(c.os(), GuestOs::Zephyr);
  EXPECT_EQ(c.osVar(), "zephyr");
  EXPECT_EQ(c.inmate(), "/boot/boot.bin");
  EXPECT_FALSE(c.startingVaddress().has_value());
  EXPECT_EQ(c.net(), NetMode::None);
  EXPECT_FALSE(c.rpuReq());
  EXPECT_EQ(c.kernel(), "");
  EXPECT_EQ(c.dtb(), "");
  EXPECT_EQ(c.cpio(), "");
  EXPECT_EQ(c.ramdisk(), "");
  EXPECT_EQ(c.memoryMiB(), 0u);
  EXPECT_EQ(c.diskType(), DiskType::None);
  EXPECT_EQ(c.diskImage(), "");
  EXPECT_EQ(c.diskSizeMiB(), 0u);
}

TEST(ZicParseTest, EveryOsVar) {
  EXPECT_EQ(parseZic(R"({"os_var": "zephyr"})").os(), GuestOs::Zephyr);
  ZicConfig bm = parseZic(R"({"os_var": "baremetal"})");
  EXPECT_EQ(bm.os(), GuestOs::BareMetal);
  EXPECT_EQ(bm.osVar(), "baremetal");
  ZicConfig lx = parseZic(R"({"os_var": "linux"})");
  EXPECT_EQ(lx.os(), GuestOs::Linux);
  EXPECT_EQ(lx.osVar(), "linux");
}

TEST(ZicParseTest, EveryLinuxFieldReadWithFileDisk) {
  ZicConfig c = parseZic(R"({
    "os_var": "linux",
    "inmate": "/boot/Image",
    "starting_vaddress": "0x80200000",
    "net": "virtual",
    "rpu_req": false,
    "kernel": "/boot/vmlinuz",
    "dtb": "/boot/board.dtb",
    "cpio": "/boot/initramfs.cpio",
    "ramdisk": "/boot/rootfs.cpio.gz",
    "memory": 768,
    "disk_type": "file",
    "disk_image": "/disk/root.img",
    "initrd": "/boot/ignored-initrd",
    "netconf": "ignored"
  })");
  EXPECT_EQ(c.os(), GuestOs::Linux);
  EXPECT_EQ(c.osVar(), "linux");
  EXPECT_EQ(c.inmate(), "/boot/Image");
  EXPECT_TRUE(c.startingVaddress().has_value());
  EXPECT_EQ(c.startingVaddress(), 0x80200000u);
  EXPECT_EQ(c.net(), NetMode::Virtual);
  EXPECT_FALSE(c.rpuReq());
  EXPECT_EQ(c.kernel(), "/boot/vmlinuz");
  EXPECT_EQ(c.dtb(), "/boot/board.dtb");
  EXPECT_EQ(c.cpio(), "/boot/initramfs.cpio");
  EXPECT_EQ(c.ramdisk(), "/boot/rootfs.cpio.gz");
  EXPECT_EQ(c.memoryMiB(), 768u);
  EXPECT_EQ(c.diskType(), DiskType::File);
  EXPECT_EQ(c.diskImage(), "/disk/root.img");
  EXPECT_EQ(c.diskSizeMiB(), 0u);
}

TEST(ZicParseTest, LvmDiskReadsDiskSize) {
  ZicConfig c = parseZic(R"({"os_var": "linux", "disk_type": "lvm", "disk_size": 2048, "memory": 1})");
  EXPECT_EQ(c.diskType(), DiskType::Lvm);
  EXPECT_EQ(c.diskSizeMiB(), 2048u);
  EXPECT_EQ(c.diskImage(), "");
  EXPECT_EQ(c.memoryMiB(), 1u);
}

TEST(ZicParseTest, LvmWithoutSizeIsAccepted) {
  ZicConfig c = parseZic(R"({"os_var": "linux", "disk_type": "lvm"})");
  EXPECT_EQ(c.diskType(), DiskType::Lvm);
  EXPECT_EQ(c.diskSizeMiB(), 0u);
}

TEST(ZicParseTest, EmptyDiskTypeMeansNone) {
  EXPECT_EQ(parseZic(R"({"os_var": "linux", "disk_type": ""})").diskType(), DiskType::None);
}

TEST(ZicParseTest, BareMetalRpuImage) {
  for (const char* os : {"zephyr", "baremetal"}) {
    ZicConfig c = parseZic(std::string(R"({"os_var": ")") + os +
                           R"(", "inmate": "/boot/r5.bin", "rpu_req": true, "starting_vaddress": "0x0003f000",
                              "memory": 4, "net": "off"})");
    EXPECT_TRUE(c.rpuReq()) << os;
    EXPECT_EQ(c.inmate(), "/boot/r5.bin");
    EXPECT_EQ(c.startingVaddress(), 0x3f000u);
    EXPECT_TRUE(c.startingVaddress().has_value());
    EXPECT_EQ(c.memoryMiB(), 4u);
    EXPECT_EQ(c.net(), NetMode::None);
  }
}

TEST(ZicParseTest, RpuReqFalseAllowedForEveryOs) {
  for (const char* os : {"zephyr", "baremetal", "linux"}) {
    EXPECT_FALSE(parseZic(std::string(R"({"os_var": ")") + os + R"(", "rpu_req": false})").rpuReq()) << os;
  }
}

TEST(ZicParseTest, NetOffValues) {
  for (const char* v : {"none", "no", "off", "false"}) {
    EXPECT_EQ(parseZic(std::string(R"({"os_var": "zephyr", "net": ")") + v + "\"}").net(), NetMode::None) << v;
  }
}

TEST(ZicParseTest, NetOnValues) {
  for (const char* v : {"virtual", "yes", "on", "true"}) {
    EXPECT_EQ(parseZic(std::string(R"({"os_var": "zephyr", "net": ")") + v + "\"}").net(), NetMode::Virtual) << v;
  }
}

TEST(ZicParseTest, StartingVaddressForms) {
  struct Case {
    const char* text;
    std::uint64_t value;
  };
  for (const Case& k : std::vector<Case>{{"0x70000000", 0x70000000u},
                                         {"0X70000000", 0x70000000u},
                                         {"0x1000", 0x1000u},
                                         {"0xABCDE000", 0xABCDE000u},
                                         {"0xabcde000", 0xABCDE000u},
                                         {"0x0000000070000000", 0x70000000u},
                                         {"0x00000000000000000000001000", 0x1000u},
                                         {"0xfffffffffffff000", 0xfffffffffffff000u}}) {
    ZicConfig c = parseZic(std::string(R"({"os_var": "zephyr", "starting_vaddress": ")") + k.text + "\"}");
    EXPECT_TRUE(c.startingVaddress().has_value()) << k.text;
    EXPECT_EQ(c.startingVaddress(), k.value) << k.text;
  }
}

TEST(ZicParseTest, RelativePathsGetALeadingSlash) {
  ZicConfig c = parseZic(R"({"os_var": "linux", "inmate": "boot/Image", "kernel": "boot/k", "dtb": "b.dtb",
                             "cpio": "boot/c", "ramdisk": "boot/r", "disk_type": "file", "disk_image": "d.img"})");
  EXPECT_EQ(c.inmate(), "/boot/Image");
  EXPECT_EQ(c.kernel(), "/boot/k");
  EXPECT_EQ(c.dtb(), "/b.dtb");
  EXPECT_EQ(c.cpio(), "/boot/c");
  EXPECT_EQ(c.ramdisk(), "/boot/r");
  EXPECT_EQ(c.diskImage(), "/d.img");
}

TEST(ZicParseTest, PathsAreNotNormalisedOrResolved) {
  // ".." is harmless: every consumer resolves paths inside the rootfs.
  ZicConfig c = parseZic(R"({"os_var": "zephyr", "inmate": "/boot/../../etc/x.bin"})");
  EXPECT_EQ(c.inmate(), "/boot/../../etc/x.bin");
}

// --- runPHI's documented examples ---

TEST(ZicUpstreamExamplesTest, ZephyrHelloWithNetNoHasNoNetwork) {
  ZicConfig c = parseZic(R"({"os_var":"zephyr","inmate":"/boot/hello.bin","net":"no"})");
  EXPECT_EQ(c.os(), GuestOs::Zephyr);
  EXPECT_EQ(c.inmate(), "/boot/hello.bin");
  EXPECT_EQ(c.net(), NetMode::None) << "\"net\": \"no\" must mean no network (upstream got this wrong)";
}

TEST(ZicUpstreamExamplesTest, LinuxWithRamdisk) {
  ZicConfig c =
      parseZic(R"({"os_var":"linux","inmate":"/boot/Image","ramdisk":"/boot/rootfs.cpio.gz","memory":512,"net":"no"})");
  EXPECT_EQ(c.os(), GuestOs::Linux);
  EXPECT_EQ(c.inmate(), "/boot/Image");
  EXPECT_EQ(c.ramdisk(), "/boot/rootfs.cpio.gz");
  EXPECT_EQ(c.memoryMiB(), 512u);
  EXPECT_EQ(c.net(), NetMode::None);
  EXPECT_EQ(c.diskType(), DiskType::None);
}

TEST(ZicUpstreamExamplesTest, LinuxWithLvmDisk) {
  ZicConfig c = parseZic(
      R"({"os_var":"linux","inmate":"/boot/Image","disk_type":"lvm","disk_size":1024,"memory":512,"net":"no"})");
  EXPECT_EQ(c.os(), GuestOs::Linux);
  EXPECT_EQ(c.diskType(), DiskType::Lvm);
  EXPECT_EQ(c.diskSizeMiB(), 1024u);
  EXPECT_EQ(c.memoryMiB(), 512u);
  EXPECT_EQ(c.net(), NetMode::None);
}

TEST(ZicUpstreamExamplesTest, ZephyrWithStartingAddress) {
  ZicConfig c = parseZic(R"({"os_var":"zephyr","inmate":"/boot/zephyr.bin","starting_vaddress":"0x70000000"})");
  EXPECT_EQ(c.os(), GuestOs::Zephyr);
  EXPECT_EQ(c.inmate(), "/boot/zephyr.bin");
  EXPECT_TRUE(c.startingVaddress().has_value());
  EXPECT_EQ(c.startingVaddress(), 0x70000000u);
  EXPECT_EQ(c.net(), NetMode::None);
}

// --- docs/zic-config.md's examples ---

TEST(ZicDocExamplesTest, AcceptedExamplesParse) {
  EXPECT_EQ(parseZic(R"({"os_var": "baremetal"})").inmate(), "/boot/boot.bin");
  ZicConfig jh = parseZic(R"({"os_var": "linux", "inmate": "/boot/Image", "dtb": "/boot/inmate.dtb",
                              "cpio": "/boot/rootfs.cpio", "net": "virtual"})");
  EXPECT_EQ(jh.dtb(), "/boot/inmate.dtb");
  EXPECT_EQ(jh.cpio(), "/boot/rootfs.cpio");
  EXPECT_EQ(jh.net(), NetMode::Virtual);
  ZicConfig file = parseZic(R"({"os_var": "linux", "inmate": "/boot/Image", "disk_type": "file",
                                "disk_image": "/disk/rootfs.img", "memory": 1024, "net": "virtual"})");
  EXPECT_EQ(file.diskType(), DiskType::File);
  EXPECT_EQ(file.diskImage(), "/disk/rootfs.img");
  EXPECT_EQ(file.memoryMiB(), 1024u);
  ZicConfig rpu =
      parseZic(R"({"os_var": "baremetal", "inmate": "/boot/r5_firmware.bin", "rpu_req": true, "memory": 4})");
  EXPECT_EQ(rpu.os(), GuestOs::BareMetal);
  EXPECT_TRUE(rpu.rpuReq());
  EXPECT_EQ(rpu.inmate(), "/boot/r5_firmware.bin");
  EXPECT_EQ(rpu.memoryMiB(), 4u);
}

TEST(ZicDocExamplesTest, RefusedExamplesAreRefused) {
  for (const char* json :
       {R"({"inmate": "/boot/x.bin"})", R"({"os_var": "linux", "memory": "512"})",
        R"({"os_var": "zephyr", "starting_vaddress": "0x0"})",
        R"({"os_var": "zephyr", "starting_vaddress": "70000000"})", R"({"os_var": "linux", "rpu_req": true})",
        R"({"os_var": "zephyr", "ramdisk": "/boot/r.cpio"})", R"({"os_var": "linux", "disk_type": "file"})",
        R"({"os_var": "linux", "disk_size": 1024})", R"({"os_var": "zephyr", "net": "No"})"}) {
    phi::Error e = zicError(json);
    EXPECT_NE(e.code(), ErrorCode::Internal) << json;
  }
}

// --- names ---

TEST(ZicNamesTest, Names) {
  EXPECT_STREQ(phi::guestOsName(GuestOs::Zephyr), "zephyr");
  EXPECT_STREQ(phi::guestOsName(GuestOs::BareMetal), "baremetal");
  EXPECT_STREQ(phi::guestOsName(GuestOs::Linux), "linux");
  EXPECT_STREQ(phi::netModeName(NetMode::None), "none");
  EXPECT_STREQ(phi::netModeName(NetMode::Virtual), "virtual");
  EXPECT_STREQ(phi::diskTypeName(DiskType::None), "none");
  EXPECT_STREQ(phi::diskTypeName(DiskType::File), "file");
  EXPECT_STREQ(phi::diskTypeName(DiskType::Lvm), "lvm");
}

TEST(ZicNamesTest, NamesRoundTripThroughTheParser) {
  for (GuestOs os : {GuestOs::Zephyr, GuestOs::BareMetal, GuestOs::Linux}) {
    EXPECT_EQ(parseZic(std::string(R"({"os_var": ")") + phi::guestOsName(os) + "\"}").os(), os);
  }
  for (NetMode net : {NetMode::None, NetMode::Virtual}) {
    EXPECT_EQ(parseZic(std::string(R"({"os_var": "zephyr", "net": ")") + phi::netModeName(net) + "\"}").net(), net);
  }
  EXPECT_EQ(parseZic(R"({"os_var": "linux", "disk_type": "lvm"})").diskType(), DiskType::Lvm);
}

// --- errors: the exact message shape ---

TEST(ZicErrorTest, UnknownOsVarExactMessage) {
  phi::Error e = zicError(R"({"os_var": "freertos"})");
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  EXPECT_STREQ(e.what(), R"(/r/boot/config.json: "os_var": "freertos" is not one of "zephyr", "baremetal", "linux")");
}

TEST(ZicErrorTest, OsVarIsCaseSensitive) {
  for (const char* v : {"Linux", "ZEPHYR", "BareMetal", "bare-metal", "", " linux", "linux "}) {
    expectZicError(std::string(R"({"os_var": ")") + v + "\"}", ErrorCode::InvalidArgument,
                   {"\"os_var\"", std::string("\"") + v + "\" is not one of"});
  }
}

TEST(ZicErrorTest, MissingOsVar) {
  expectZicError(R"({"inmate": "/boot/x.bin"})", ErrorCode::InvalidArgument, {"\"os_var\" is required"});
  expectZicError("{}", ErrorCode::InvalidArgument, {"\"os_var\" is required", "\"zephyr\""});
}

// Every field with every wrong JSON type: ParseError naming the field, the
// expected type and the value.
TEST(ZicErrorTest, WrongTypes) {
  struct Case {
    const char* field;
    const char* value;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"os_var", "1", "a string"},
      {"os_var", "null", "a string"},
      {"os_var", "true", "a string"},
      {"os_var", "[\"linux\"]", "a string"},
      {"os_var", "{\"name\":\"linux\"}", "a string"},
      {"inmate", "1", "a string"},
      {"inmate", "null", "a string"},
      {"inmate", "[\"/boot/x\"]", "a string"},
      {"starting_vaddress", "1879048192", "a string"},
      {"starting_vaddress", "null", "a string"},
      {"net", "false", "a string"},
      {"net", "true", "a string"},
      {"net", "0", "a string"},
      {"net", "null", "a string"},
      {"rpu_req", "\"true\"", "true or false"},
      {"rpu_req", "1", "true or false"},
      {"rpu_req", "0", "true or false"},
      {"rpu_req", "null", "true or false"},
      {"kernel", "1", "a string"},
      {"kernel", "false", "a string"},
      {"dtb", "{}", "a string"},
      {"cpio", "[]", "a string"},
      {"ramdisk", "2", "a string"},
      {"ramdisk", "null", "a string"},
      {"memory", "\"512\"", "an unsigned integer (MiB)"},
      {"memory", "512.0", "an unsigned integer (MiB)"},
      {"memory", "512.5", "an unsigned integer (MiB)"},
      {"memory", "5e2", "an unsigned integer (MiB)"},
      {"memory", "-1", "an unsigned integer (MiB)"},
      {"memory", "-512", "an unsigned integer (MiB)"},
      {"memory", "18446744073709551616", "an unsigned integer (MiB)"},
      {"memory", "true", "an unsigned integer (MiB)"},
      {"memory", "null", "an unsigned integer (MiB)"},
      {"disk_type", "1", "a string"},
      {"disk_type", "null", "a string"},
      {"disk_type", "false", "a string"},
      {"disk_image", "1", "a string"},
      {"disk_size", "\"1024\"", "an unsigned integer (MiB)"},
      {"disk_size", "-1", "an unsigned integer (MiB)"},
      {"disk_size", "1024.0", "an unsigned integer (MiB)"},
      {"disk_size", "[1024]", "an unsigned integer (MiB)"},
      {"initrd", "1", "a string"},
      {"initrd", "null", "a string"},
      {"netconf", "{}", "a string"},
      {"netconf", "true", "a string"},
  };
  for (const Case& k : cases) {
    // How the value shows in the message: compact JSON, reals in jsoncpp's form.
    std::string got = k.value;
    if (got == "5e2") got = "500.0";
    if (got == "18446744073709551616") got = "1.8446744073709552e+19";
    std::string json = std::string(k.field) == "os_var"
                           ? std::string(R"({"os_var": )") + k.value + "}"
                           : std::string(R"({"os_var": "linux", ")") + k.field + "\": " + k.value + "}";
    expectZicError(json, ErrorCode::ParseError,
                   {std::string("\"") + k.field + "\": expected " + k.expected + ", got " + got});
  }
}

TEST(ZicErrorTest, UnknownNet) {
  for (const char* v : {"maybe", "No", "NONE", "Virtual", "", "1", "0", "bridge"}) {
    expectZicError(std::string(R"({"os_var": "zephyr", "net": ")") + v + "\"}", ErrorCode::InvalidArgument,
                   {"\"net\": \"" + std::string(v) + "\" is neither", "\"none\"", "\"no\"", "\"off\"", "\"false\"",
                    "\"virtual\"", "\"yes\"", "\"on\"", "\"true\""});
  }
}

TEST(ZicErrorTest, UnknownDiskType) {
  for (const char* v : {"nfs", "File", "LVM", "none", "raw", " file"}) {
    expectZicError(std::string(R"({"os_var": "linux", "disk_type": ")") + v + "\"}", ErrorCode::InvalidArgument,
                   {"\"disk_type\": \"" + std::string(v) + "\" is not one of", "\"file\"", "\"lvm\""});
  }
}

TEST(ZicErrorTest, StartingVaddressMalformed) {
  for (const char* v :
       {"", "0x", "0X", "70000000", "x70000000", "0x7000zz00", "0x7000 0000", " 0x70000000", "0x70000000 ", "0x-1000",
        "0x+1000", "0x70000000h", "0b1000", "1000h", "0x1_000", "0x\u00e91000"}) {
    expectZicError(std::string(R"({"os_var": "zephyr", "starting_vaddress": ")") + v + "\"}",
                   ErrorCode::InvalidArgument,
                   {"\"starting_vaddress\": \"" + std::string(v) + "\" is not a hexadecimal address"});
  }
}

TEST(ZicErrorTest, StartingVaddressTooLarge) {
  expectZicError(R"({"os_var": "zephyr", "starting_vaddress": "0x10000000000000000"})", ErrorCode::InvalidArgument,
                 {"\"starting_vaddress\": \"0x10000000000000000\" does not fit 64 bits"});
  expectZicError(R"({"os_var": "zephyr", "starting_vaddress": "0xfffffffffffffffff000"})", ErrorCode::InvalidArgument,
                 {"\"0xfffffffffffffffff000\" does not fit 64 bits"});
}

TEST(ZicErrorTest, StartingVaddressZero) {
  for (const char* v : {"0x0", "0x0000", "0X00000000000000000000"}) {
    expectZicError(std::string(R"({"os_var": "zephyr", "starting_vaddress": ")") + v + "\"}",
                   ErrorCode::InvalidArgument, {"\"starting_vaddress\": \"" + std::string(v) + "\" must not be zero"});
  }
}

TEST(ZicErrorTest, StartingVaddressUnaligned) {
  for (const char* v : {"0x1", "0x70000010", "0x70000800", "0xfff", "0x70000fff", "0xffffffffffffffff"}) {
    expectZicError(std::string(R"({"os_var": "zephyr", "starting_vaddress": ")") + v + "\"}",
                   ErrorCode::InvalidArgument,
                   {"\"starting_vaddress\": \"" + std::string(v) + "\" is not aligned to a 4 KiB page"});
  }
}

TEST(ZicErrorTest, MemoryZero) {
  expectZicError(R"({"os_var": "linux", "memory": 0})", ErrorCode::InvalidArgument,
                 {"\"memory\": 0 must be greater than 0"});
}

TEST(ZicErrorTest, DiskSizeZero) {
  expectZicError(R"({"os_var": "linux", "disk_type": "lvm", "disk_size": 0})", ErrorCode::InvalidArgument,
                 {"\"disk_size\": 0 must be greater than 0"});
}

TEST(ZicErrorTest, SizesWhoseByteCountOverflows) {
  const std::uint64_t maxMiB = std::numeric_limits<std::uint64_t>::max() >> 20;
  EXPECT_EQ(parseZic(R"({"os_var": "linux", "memory": )" + std::to_string(maxMiB) + "}").memoryMiB(), maxMiB);
  expectZicError(R"({"os_var": "linux", "memory": )" + std::to_string(maxMiB + 1) + "}", ErrorCode::InvalidArgument,
                 {"\"memory\": " + std::to_string(maxMiB + 1) + " is too large"});
  expectZicError(R"({"os_var": "linux", "disk_type": "lvm", "disk_size": 18446744073709551615})",
                 ErrorCode::InvalidArgument, {"\"disk_size\": 18446744073709551615 is too large"});
}

TEST(ZicErrorTest, EmptyPaths) {
  for (const char* field : {"inmate", "kernel", "dtb", "cpio", "ramdisk", "disk_image"}) {
    std::string json = std::string(R"({"os_var": "linux", ")") + field + R"(": "")";
    if (std::string(field) == "disk_image") json += R"(, "disk_type": "file")";
    expectZicError(json + "}", ErrorCode::InvalidArgument, {std::string("\"") + field + "\": \"\" must not be empty"});
  }
}

TEST(ZicErrorTest, PathsWithNul) {
  for (const char* field : {"inmate", "kernel", "dtb", "cpio", "ramdisk", "disk_image"}) {
    std::string json = std::string(R"({"os_var": "linux", ")") + field + R"(": "/boot/a\u0000b")";
    if (std::string(field) == "disk_image") json += R"(, "disk_type": "file")";
    expectZicError(json + "}", ErrorCode::InvalidArgument,
                   {std::string("\"") + field + "\": \"/boot/a\\u0000b\" contains a NUL byte"});
  }
}

// --- cross-field rules ---

TEST(ZicCrossFieldTest, FileDiskRequiresDiskImage) {
  expectZicError(R"({"os_var": "linux", "disk_type": "file"})", ErrorCode::InvalidArgument,
                 {"\"disk_type\": \"file\" requires \"disk_image\""});
}

TEST(ZicCrossFieldTest, DiskImageRequiresFileDisk) {
  expectZicError(R"({"os_var": "linux", "disk_image": "/disk.img"})", ErrorCode::InvalidArgument,
                 {"\"disk_image\": \"/disk.img\" requires \"disk_type\": \"file\"", "no \"disk_type\""});
  expectZicError(R"({"os_var": "linux", "disk_type": "lvm", "disk_image": "/disk.img"})", ErrorCode::InvalidArgument,
                 {"\"disk_image\": \"/disk.img\" requires \"disk_type\": \"file\"", "\"disk_type\" is \"lvm\""});
  expectZicError(R"({"os_var": "linux", "disk_type": "", "disk_image": "/disk.img"})", ErrorCode::InvalidArgument,
                 {"\"disk_image\": \"/disk.img\" requires \"disk_type\": \"file\"", "\"disk_type\" is \"\""});
}

TEST(ZicCrossFieldTest, DiskSizeOnlyWithLvm) {
  expectZicError(R"({"os_var": "linux", "disk_size": 1024})", ErrorCode::InvalidArgument,
                 {"\"disk_size\": 1024 requires \"disk_type\": \"lvm\"", "no \"disk_type\""});
  expectZicError(R"({"os_var": "linux", "disk_type": "file", "disk_image": "/d.img", "disk_size": 1024})",
                 ErrorCode::InvalidArgument,
                 {"\"disk_size\": 1024 requires \"disk_type\": \"lvm\"", "\"disk_type\" is \"file\""});
}

TEST(ZicCrossFieldTest, RpuReqNotForLinux) {
  expectZicError(R"({"os_var": "linux", "rpu_req": true})", ErrorCode::InvalidArgument,
                 {"\"rpu_req\": true is only valid with a bare-metal", "\"os_var\": \"linux\""});
}

TEST(ZicCrossFieldTest, LinuxOnlyFieldsRefusedForBareMetal) {
  for (const char* os : {"zephyr", "baremetal"}) {
    for (const char* field : {"kernel", "dtb", "cpio", "ramdisk"}) {
      expectZicError(std::string(R"({"os_var": ")") + os + R"(", ")" + field + R"(": "/boot/thing"})",
                     ErrorCode::InvalidArgument,
                     {std::string("\"") + field + "\": \"/boot/thing\" is only valid with \"os_var\": \"linux\"",
                      std::string("\"os_var\": \"") + os + "\""});
    }
  }
}

// --- keys and JSON shape ---

TEST(ZicErrorTest, UnknownKey) {
  expectZicError(R"({"os_var": "zephyr", "osvar": "linux"})", ErrorCode::InvalidArgument,
                 {"\"osvar\": unknown key", "\"linux\""});
  expectZicError(R"({"os_var": "zephyr", "Inmate": "/boot/x"})", ErrorCode::InvalidArgument,
                 {"\"Inmate\": unknown key"});
  expectZicError(R"({"os_var": "zephyr", "accelerator": {"core": "simple"}})", ErrorCode::InvalidArgument,
                 {"\"accelerator\": unknown key"});
  expectZicError(R"({"os_var": "zephyr", "": 1})", ErrorCode::InvalidArgument, {"\"\": unknown key"});
}

TEST(ZicErrorTest, UpstreamLeftoversAreIgnored) {
  ZicConfig c = parseZic(R"({"os_var": "zephyr", "initrd": "", "netconf": "whatever"})");
  EXPECT_EQ(c.os(), GuestOs::Zephyr);
  EXPECT_EQ(c.inmate(), "/boot/boot.bin");
}

TEST(ZicErrorTest, DuplicateKey) {
  expectZicError(R"({"os_var": "zephyr", "os_var": "linux"})", ErrorCode::ParseError,
                 {"malformed JSON", "Duplicate key", "os_var"});
  expectZicError(R"({"os_var": "zephyr", "net": "no", "inmate": "/a", "net": "no"})", ErrorCode::ParseError,
                 {"Duplicate key", "net"});
}

TEST(ZicErrorTest, TopLevelNotAnObject) {
  expectZicError("[]", ErrorCode::ParseError, {"top level must be a JSON object", "got []"});
  expectZicError(R"([{"os_var": "zephyr"}])", ErrorCode::ParseError, {"top level must be a JSON object"});
  for (const char* json : {"\"zephyr\"", "null", "42", "true"}) {
    expectZicError(json, ErrorCode::ParseError, {"malformed JSON"});
  }
}

TEST(ZicErrorTest, MalformedJson) {
  for (const char* json : {"", " ", "{", R"({"os_var": "zephyr",})", R"({'os_var': 'zephyr'})",
                           R"({"os_var": "zephyr"} // c)", R"({"os_var": "zephyr"} {})", R"({os_var: "zephyr"})",
                           R"({"os_var": "zephyr" "net": "no"})", R"({"os_var": "zeph)"}) {
    expectZicError(json, ErrorCode::ParseError, {"malformed JSON"});
  }
}

// =====================================================================
// ZIC config: loadZicConfig (inside the rootfs only)
// =====================================================================

class ZicLoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    rootfs_ = tmp_ / "bundle/rootfs";
    std::filesystem::create_directories(rootfs_);
    // A host directory holding a config the rootfs must never reach.
    hostDir_ = tmp_ / "host";
    writeFile(hostDir_ + "/config.json", kHostConfig);
  }

  // Lets `inside` (a path the way the container sees it) exist in the rootfs
  // with a zephyr config, so a load that stays inside has something to read.
  void plantInside(const std::string& inside) { writeFile(rootfs_ + inside + "/config.json", kInsideConfig); }

  // The load must not read the host file: NotFound, or the config inside.
  void expectStaysInside() {
    try {
      ZicConfig c = phi::loadZicConfig(rootfs_);
      EXPECT_EQ(c.os(), GuestOs::Zephyr) << "read something other than the rootfs' own config";
      EXPECT_NE(c.os(), GuestOs::Linux) << "read the HOST config through a symlink";
    } catch (const phi::Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::NotFound) << e.what();
    }
  }

  static constexpr const char* kHostConfig = R"({"os_var": "linux", "inmate": "/host"})";
  static constexpr const char* kInsideConfig = R"({"os_var": "zephyr", "inmate": "/inside"})";

  TempDir tmp_;
  std::string rootfs_;
  std::string hostDir_;
};

TEST_F(ZicLoadTest, ReadsARealFile) {
  writeFile(rootfs_ + "/boot/config.json", R"({"os_var": "linux", "inmate": "/boot/Image", "memory": 256})");
  ZicConfig c = phi::loadZicConfig(rootfs_);
  EXPECT_EQ(c.os(), GuestOs::Linux);
  EXPECT_EQ(c.inmate(), "/boot/Image");
  EXPECT_EQ(c.memoryMiB(), 256u);
}

TEST_F(ZicLoadTest, ErrorsNameTheFile) {
  writeFile(rootfs_ + "/boot/config.json", R"({"os_var": "freertos"})");
  phi::Error e = capturePhiError([&] { phi::loadZicConfig(rootfs_); });
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  EXPECT_EQ(std::string(e.what()),
            rootfs_ + R"(/boot/config.json: "os_var": "freertos" is not one of "zephyr", "baremetal", "linux")");
}

TEST_F(ZicLoadTest, TrailingSlashOnRootfsGivesACleanOrigin) {
  writeFile(rootfs_ + "/boot/config.json", "[]");
  phi::Error e = capturePhiError([&] { phi::loadZicConfig(rootfs_ + "/"); });
  EXPECT_EQ(std::string(e.what()).rfind(rootfs_ + "/boot/config.json: ", 0), 0u) << e.what();
}

TEST_F(ZicLoadTest, MalformedFileIsAParseErrorNamingIt) {
  writeFile(rootfs_ + "/boot/config.json", R"({"os_var": "zephyr", "os_var": "linux"})");
  phi::Error e = capturePhiError([&] { phi::loadZicConfig(rootfs_); });
  EXPECT_EQ(e.code(), ErrorCode::ParseError);
  EXPECT_CONTAINS(e.what(), rootfs_ + "/boot/config.json");
  EXPECT_CONTAINS(e.what(), "os_var");
}

TEST_F(ZicLoadTest, MissingConfigIsNotFound) {
  phi::Error e = capturePhiError([&] { phi::loadZicConfig(rootfs_); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), "boot/config.json");
  EXPECT_CONTAINS(e.what(), rootfs_);
}

TEST_F(ZicLoadTest, MissingRootfsIsNotFound) {
  phi::Error e = capturePhiError([&] { phi::loadZicConfig(tmp_ / "nope"); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), tmp_ / "nope");
}

TEST_F(ZicLoadTest, BootAbsoluteSymlinkToHostDir) {
  symlinkOrDie(hostDir_, rootfs_ + "/boot");
  EXPECT_EQ(capturePhiError([&] { phi::loadZicConfig(rootfs_); }).code(), ErrorCode::NotFound);
  plantInside(hostDir_);  // the same absolute path, inside the rootfs
  ZicConfig c = phi::loadZicConfig(rootfs_);
  EXPECT_EQ(c.os(), GuestOs::Zephyr);
  EXPECT_EQ(c.inmate(), "/inside");
}

TEST_F(ZicLoadTest, BootRelativeSymlinkOutOfTheRootfs) {
  // <tmp>/bundle/rootfs/boot -> ../../outside would be <tmp>/outside on the host.
  writeFile(tmp_ / "outside/config.json", kHostConfig);
  symlinkOrDie("../../outside", rootfs_ + "/boot");
  EXPECT_EQ(capturePhiError([&] { phi::loadZicConfig(rootfs_); }).code(), ErrorCode::NotFound);
  plantInside("/outside");  // ".." stops at the rootfs: it is <rootfs>/outside
  ZicConfig c = phi::loadZicConfig(rootfs_);
  EXPECT_EQ(c.os(), GuestOs::Zephyr);
  EXPECT_EQ(c.inmate(), "/inside");
}

TEST_F(ZicLoadTest, BootSymlinkWithDotDotsInAnAbsoluteTarget) {
  symlinkOrDie("/../../../../../../.." + hostDir_, rootfs_ + "/boot");
  expectStaysInside();
  plantInside(hostDir_);
  EXPECT_EQ(phi::loadZicConfig(rootfs_).inmate(), "/inside");
}

TEST_F(ZicLoadTest, SymlinkChainToTheHost) {
  // boot -> /l1 -> ../../../../l2 -> <host dir> (absolute)
  symlinkOrDie("/l1", rootfs_ + "/boot");
  symlinkOrDie("../../../../l2", rootfs_ + "/l1");
  symlinkOrDie(hostDir_, rootfs_ + "/l2");
  EXPECT_EQ(capturePhiError([&] { phi::loadZicConfig(rootfs_); }).code(), ErrorCode::NotFound);
  plantInside(hostDir_);
  ZicConfig c = phi::loadZicConfig(rootfs_);
  EXPECT_EQ(c.inmate(), "/inside");
}

TEST_F(ZicLoadTest, ConfigFileItselfSymlinkedToTheHost) {
  symlinkOrDie(hostDir_ + "/config.json", rootfs_ + "/boot/config.json");
  EXPECT_EQ(capturePhiError([&] { phi::loadZicConfig(rootfs_); }).code(), ErrorCode::NotFound);
  plantInside(hostDir_);
  EXPECT_EQ(phi::loadZicConfig(rootfs_).inmate(), "/inside");
}

TEST_F(ZicLoadTest, ConfigFileRelativeSymlinkWithDotDots) {
  // boot/config.json -> ../../../../../../<host dir>/config.json
  std::string rel = "../../../../../../../../.." + hostDir_ + "/config.json";
  symlinkOrDie(rel, rootfs_ + "/boot/config.json");
  expectStaysInside();
  plantInside(hostDir_);
  EXPECT_EQ(phi::loadZicConfig(rootfs_).inmate(), "/inside");
}

TEST_F(ZicLoadTest, SymlinkInsideTheRootfsIsFollowed) {
  writeFile(rootfs_ + "/real/config.json", kInsideConfig);
  symlinkOrDie("/real", rootfs_ + "/boot");
  EXPECT_EQ(phi::loadZicConfig(rootfs_).inmate(), "/inside");
}

TEST_F(ZicLoadTest, ConfigThatIsADirectory) {
  std::filesystem::create_directories(rootfs_ + "/boot/config.json");
  phi::Error e = capturePhiError([&] { phi::loadZicConfig(rootfs_); });
  EXPECT_NE(e.code(), ErrorCode::Internal);
  EXPECT_CONTAINS(e.what(), "config.json");
}

TEST_F(ZicLoadTest, ConfigThatIsAFifoDoesNotHang) {
  std::filesystem::create_directories(rootfs_ + "/boot");
  const std::string fifo = rootfs_ + "/boot/config.json";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // Should the load block in open(2) waiting for a writer, this thread turns
  // the hang into a failure after 5 s by opening the FIFO for writing.
  std::atomic<bool> done{false};
  std::thread rescuer([&] {
    for (int i = 0; i < 500 && !done; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    if (!done) {
      ADD_FAILURE() << "loadZicConfig blocked on a FIFO";
      int w = ::open(fifo.c_str(), O_WRONLY | O_NONBLOCK);
      if (w >= 0) ::close(w);
    }
  });
  phi::Error e = capturePhiError([&] { phi::loadZicConfig(rootfs_); });
  done = true;
  rescuer.join();
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  EXPECT_CONTAINS(e.what(), rootfs_ + "/boot/config.json: not a regular file");
}

TEST_F(ZicLoadTest, HugeConfigRefused) {
  writeFile(rootfs_ + "/boot/config.json", R"({"os_var": "zephyr", "netconf": ")" + std::string(2 << 20, 'x') + "\"}");
  phi::Error e = capturePhiError([&] { phi::loadZicConfig(rootfs_); });
  EXPECT_EQ(e.code(), ErrorCode::InvalidArgument);
  EXPECT_CONTAINS(e.what(), "too large");
}

// =====================================================================
// OCI runtime-spec config.json
// =====================================================================

// What `runc spec` (runc 1.1.5) writes, verbatim (tabs included).
const char* const kRuncSpec = R"({
	"ociVersion": "1.0.2-dev",
	"process": {
		"terminal": true,
		"user": {
			"uid": 0,
			"gid": 0
		},
		"args": [
			"sh"
		],
		"env": [
			"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
			"TERM=xterm"
		],
		"cwd": "/",
		"capabilities": {
			"bounding": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"effective": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"permitted": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			],
			"ambient": [
				"CAP_AUDIT_WRITE",
				"CAP_KILL",
				"CAP_NET_BIND_SERVICE"
			]
		},
		"rlimits": [
			{
				"type": "RLIMIT_NOFILE",
				"hard": 1024,
				"soft": 1024
			}
		],
		"noNewPrivileges": true
	},
	"root": {
		"path": "rootfs",
		"readonly": true
	},
	"hostname": "runc",
	"mounts": [
		{
			"destination": "/proc",
			"type": "proc",
			"source": "proc"
		},
		{
			"destination": "/dev",
			"type": "tmpfs",
			"source": "tmpfs",
			"options": [
				"nosuid",
				"strictatime",
				"mode=755",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/pts",
			"type": "devpts",
			"source": "devpts",
			"options": [
				"nosuid",
				"noexec",
				"newinstance",
				"ptmxmode=0666",
				"mode=0620",
				"gid=5"
			]
		},
		{
			"destination": "/dev/shm",
			"type": "tmpfs",
			"source": "shm",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"mode=1777",
				"size=65536k"
			]
		},
		{
			"destination": "/dev/mqueue",
			"type": "mqueue",
			"source": "mqueue",
			"options": [
				"nosuid",
				"noexec",
				"nodev"
			]
		},
		{
			"destination": "/sys",
			"type": "sysfs",
			"source": "sysfs",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"ro"
			]
		},
		{
			"destination": "/sys/fs/cgroup",
			"type": "cgroup",
			"source": "cgroup",
			"options": [
				"nosuid",
				"noexec",
				"nodev",
				"relatime",
				"ro"
			]
		}
	],
	"linux": {
		"resources": {
			"devices": [
				{
					"allow": false,
					"access": "rwm"
				}
			]
		},
		"namespaces": [
			{
				"type": "pid"
			},
			{
				"type": "network"
			},
			{
				"type": "ipc"
			},
			{
				"type": "uts"
			},
			{
				"type": "mount"
			}
		],
		"maskedPaths": [
			"/proc/acpi",
			"/proc/asound",
			"/proc/kcore",
			"/proc/keys",
			"/proc/latency_stats",
			"/proc/timer_list",
			"/proc/timer_stats",
			"/proc/sched_debug",
			"/sys/firmware",
			"/proc/scsi"
		],
		"readonlyPaths": [
			"/proc/bus",
			"/proc/fs",
			"/proc/irq",
			"/proc/sys",
			"/proc/sysrq-trigger"
		]
	}
})";

const std::string kOciOrigin = "/b/config.json";

OciSpec parseOci(const std::string& json, const std::string& bundle = "/b") {
  return phi::parseOciSpec(json, kOciOrigin, bundle);
}

// A spec with root.path "rootfs" plus `extra` (members, without the leading comma).
std::string ociWith(const std::string& extra) {
  return R"({"ociVersion": "1.2.0", "root": {"path": "rootfs"})" + (extra.empty() ? "" : ", " + extra) + "}";
}

void expectOciError(const std::string& json, ErrorCode code, const std::vector<std::string>& needles) {
  SCOPED_TRACE("json: " + json);
  phi::Error e = capturePhiError([&] { parseOci(json); });
  EXPECT_EQ(e.code(), code) << e.what();
  EXPECT_EQ(std::string(e.what()).rfind(kOciOrigin + ": ", 0), 0u) << e.what();
  for (const std::string& needle : needles) EXPECT_CONTAINS(e.what(), needle);
}

TEST(OciSpecTest, RuncSpecExampleParses) {
  OciSpec s = parseOci(kRuncSpec, "/run/bundles/c1");
  EXPECT_EQ(s.ociVersion(), "1.0.2-dev");
  EXPECT_EQ(s.rootPath(), "rootfs");
  EXPECT_EQ(s.rootfs(), "/run/bundles/c1/rootfs");
  EXPECT_EQ(s.args(), (std::vector<std::string>{"sh"}));
  EXPECT_EQ(s.env(), (std::vector<std::string>{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                               "TERM=xterm"}));
  EXPECT_TRUE(s.annotations().empty());
  EXPECT_FALSE(s.cpuQuota());
  EXPECT_FALSE(s.cpuPeriod());
  EXPECT_EQ(s.cpusetCpus(), "");
  EXPECT_FALSE(s.memoryLimit());
  EXPECT_TRUE(s.hooks(phi::HookPoint::Prestart).empty());
  EXPECT_TRUE(s.hooks(phi::HookPoint::CreateRuntime).empty());
  EXPECT_TRUE(s.hooks(phi::HookPoint::CreateContainer).empty());
  EXPECT_TRUE(s.hooks(phi::HookPoint::StartContainer).empty());
  EXPECT_TRUE(s.hooks(phi::HookPoint::Poststart).empty());
  EXPECT_TRUE(s.hooks(phi::HookPoint::Poststop).empty());
}

TEST(OciSpecTest, FullConfig) {
  OciSpec s = parseOci(R"({
    "ociVersion": "1.1.0",
    "root": {"path": "/var/lib/zic/rootfs"},
    "annotations": {"io.runphi.runtime": "runphi", "org.example/key": "", "k": "v=w"},
    "process": {"args": ["/bin/app", "--flag", ""], "env": ["A=1", "B="]},
    "linux": {"resources": {"cpu": {"quota": 50000, "period": 100000, "cpus": "0-1,3"},
                            "memory": {"limit": 536870912}}},
    "hooks": {
      "prestart": [{"path": "/usr/bin/pre", "args": ["pre", "-x"], "env": ["P=1"], "timeout": 5}],
      "createRuntime": [{"path": "/cr1"}, {"path": "/cr2", "timeout": 1}],
      "createContainer": [{"path": "/cc"}],
      "startContainer": [{"path": "/sc", "args": ["sc"]}],
      "poststart": [{"path": "/ps", "env": []}],
      "poststop": [{"path": "/stop", "args": [], "timeout": 2147483647}]
    }
  })");
  EXPECT_EQ(s.ociVersion(), "1.1.0");
  EXPECT_EQ(s.rootPath(), "/var/lib/zic/rootfs");
  EXPECT_EQ(s.rootfs(), "/var/lib/zic/rootfs");
  EXPECT_EQ(s.annotations(), (std::map<std::string, std::string>{
                                 {"io.runphi.runtime", "runphi"}, {"org.example/key", ""}, {"k", "v=w"}}));
  EXPECT_EQ(s.args(), (std::vector<std::string>{"/bin/app", "--flag", ""}));
  EXPECT_EQ(s.env(), (std::vector<std::string>{"A=1", "B="}));
  EXPECT_EQ(s.cpuQuota(), 50000);
  EXPECT_EQ(s.cpuPeriod(), 100000u);
  EXPECT_EQ(s.cpusetCpus(), "0-1,3");
  EXPECT_EQ(s.memoryLimit(), 536870912);

  ASSERT_EQ(s.hooks(phi::HookPoint::Prestart).size(), 1u);
  EXPECT_EQ(s.hooks(phi::HookPoint::Prestart)[0].path(), "/usr/bin/pre");
  EXPECT_EQ(s.hooks(phi::HookPoint::Prestart)[0].args(), (std::vector<std::string>{"pre", "-x"}));
  EXPECT_EQ(s.hooks(phi::HookPoint::Prestart)[0].env(), (std::vector<std::string>{"P=1"}));
  EXPECT_EQ(s.hooks(phi::HookPoint::Prestart)[0].timeoutSeconds(), 5);
  ASSERT_EQ(s.hooks(phi::HookPoint::CreateRuntime).size(), 2u);
  EXPECT_EQ(s.hooks(phi::HookPoint::CreateRuntime)[0].path(), "/cr1");
  EXPECT_FALSE(s.hooks(phi::HookPoint::CreateRuntime)[0].timeoutSeconds());
  EXPECT_TRUE(s.hooks(phi::HookPoint::CreateRuntime)[0].args().empty());
  EXPECT_EQ(s.hooks(phi::HookPoint::CreateRuntime)[1].path(), "/cr2");
  EXPECT_EQ(s.hooks(phi::HookPoint::CreateRuntime)[1].timeoutSeconds(), 1);
  ASSERT_EQ(s.hooks(phi::HookPoint::CreateContainer).size(), 1u);
  EXPECT_EQ(s.hooks(phi::HookPoint::CreateContainer)[0].path(), "/cc");
  ASSERT_EQ(s.hooks(phi::HookPoint::StartContainer).size(), 1u);
  EXPECT_EQ(s.hooks(phi::HookPoint::StartContainer)[0].args(), (std::vector<std::string>{"sc"}));
  ASSERT_EQ(s.hooks(phi::HookPoint::Poststart).size(), 1u);
  EXPECT_EQ(s.hooks(phi::HookPoint::Poststart)[0].path(), "/ps");
  ASSERT_EQ(s.hooks(phi::HookPoint::Poststop).size(), 1u);
  EXPECT_EQ(s.hooks(phi::HookPoint::Poststop)[0].timeoutSeconds(), INT_MAX);
}

TEST(OciSpecTest, ResourceExtremes) {
  OciSpec s = parseOci(ociWith(R"("linux": {"resources": {"cpu": {"quota": -1, "period": 18446744073709551615},
                                                         "memory": {"limit": -1}}})"));
  EXPECT_EQ(s.cpuQuota(), -1);
  EXPECT_EQ(s.cpuPeriod(), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(s.memoryLimit(), -1);
  s = parseOci(ociWith(R"("linux": {"resources": {"cpu": {"quota": 9223372036854775807, "period": 0},
                                                   "memory": {"limit": -9223372036854775808}}})"));
  EXPECT_EQ(s.cpuQuota(), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(s.cpuPeriod(), 0u);
  EXPECT_EQ(s.memoryLimit(), std::numeric_limits<std::int64_t>::min());
}

TEST(OciSpecTest, OptionalSectionsMayBeMissingOrNull) {
  OciSpec s = parseOci(R"({"root": {"path": "rootfs"}})");
  EXPECT_EQ(s.ociVersion(), "");
  EXPECT_TRUE(s.args().empty());
  EXPECT_TRUE(s.annotations().empty());
  s = parseOci(R"({"ociVersion": null, "root": {"path": "rootfs"}, "annotations": null, "process": null,
                   "linux": null, "hooks": null})");
  EXPECT_EQ(s.ociVersion(), "");
  s = parseOci(ociWith(R"("process": {"args": null, "env": null}, "linux": {"resources": null})"));
  EXPECT_TRUE(s.args().empty());
  s = parseOci(ociWith(R"("linux": {"resources": {"cpu": null, "memory": null}})"));
  EXPECT_FALSE(s.cpuQuota());
  s = parseOci(ociWith(R"("linux": {"resources": {"cpu": {"quota": null, "period": null, "cpus": null},
                                                  "memory": {"limit": null}}})"));
  EXPECT_FALSE(s.cpuQuota());
  EXPECT_FALSE(s.cpuPeriod());
  EXPECT_FALSE(s.memoryLimit());
  s = parseOci(ociWith(R"("linux": {"resources": {"cpu": {}, "memory": {}}}, "process": {}, "hooks": {})"));
  EXPECT_FALSE(s.cpuQuota());
  s = parseOci(ociWith(R"("hooks": {"prestart": null, "poststop": [{"path": "/x", "args": null, "timeout": null}]})"));
  ASSERT_EQ(s.hooks(phi::HookPoint::Poststop).size(), 1u);
  EXPECT_FALSE(s.hooks(phi::HookPoint::Poststop)[0].timeoutSeconds());
}

// Go's encoding/json (what runc uses) and runc's own reading.
TEST(OciSpecGoCompatTest, DuplicateKeysLastWins) {
  OciSpec s =
      parseOci(R"({"root": {"path": "first"}, "root": {"path": "second"}, "ociVersion": "a", "ociVersion": "b"})");
  EXPECT_EQ(s.rootPath(), "second");
  EXPECT_EQ(s.ociVersion(), "b");
}

TEST(OciSpecGoCompatTest, KeysMatchCaseInsensitively) {
  OciSpec s = parseOci(R"({"OCIVERSION": "1.0.0", "Root": {"PATH": "rfs"}, "Annotations": {"Key": "V"},
                           "PROCESS": {"Args": ["a"], "ENV": ["E=1"]},
                           "Linux": {"Resources": {"CPU": {"Quota": 7, "PERIOD": 8, "Cpus": "1"},
                                                   "Memory": {"LIMIT": 9}}},
                           "HOOKS": {"PreStart": [{"Path": "/p", "TimeOut": 3}], "POSTSTOP": [{"PATH": "/q"}]}})");
  EXPECT_EQ(s.ociVersion(), "1.0.0");
  EXPECT_EQ(s.rootPath(), "rfs");
  EXPECT_EQ(s.annotations().at("Key"), "V") << "annotation keys are data, kept as written";
  EXPECT_EQ(s.args(), (std::vector<std::string>{"a"}));
  EXPECT_EQ(s.env(), (std::vector<std::string>{"E=1"}));
  EXPECT_EQ(s.cpuQuota(), 7);
  EXPECT_EQ(s.cpuPeriod(), 8u);
  EXPECT_EQ(s.cpusetCpus(), "1");
  EXPECT_EQ(s.memoryLimit(), 9);
  ASSERT_EQ(s.hooks(phi::HookPoint::Prestart).size(), 1u);
  EXPECT_EQ(s.hooks(phi::HookPoint::Prestart)[0].path(), "/p");
  EXPECT_EQ(s.hooks(phi::HookPoint::Prestart)[0].timeoutSeconds(), 3);
  ASSERT_EQ(s.hooks(phi::HookPoint::Poststop).size(), 1u);
}

TEST(OciSpecGoCompatTest, KelvinSignAndLongSFoldLikeGo) {
  // U+212A KELVIN SIGN folds to 'k', U+017F LATIN SMALL LETTER LONG S to 's'.
  OciSpec s = parseOci(R"({"root": {"path": "r"}, "hoo\u212A\u017F": {"po\u017Fts\u0074op": [{"path": "/k"}]}})");
  ASSERT_EQ(s.hooks(phi::HookPoint::Poststop).size(), 1u);
  EXPECT_EQ(s.hooks(phi::HookPoint::Poststop)[0].path(), "/k");
}

TEST(OciSpecGoCompatTest, NearMissKeysAreIgnored) {
  OciSpec s = parseOci(R"({"root": {"path": "r"}, "roots": {"path": "x"}, "root_": 1, "hook": {"prestart": 1},
                           "process": {"arg": 1, "argss": 2}})");
  EXPECT_EQ(s.rootPath(), "r");
  EXPECT_TRUE(s.args().empty());
}

TEST(OciSpecGoCompatTest, ExactKeyPreferredOverFoldedOne) {
  EXPECT_EQ(parseOci(R"({"ROOT": {"path": "folded"}, "root": {"path": "exact"}})").rootPath(), "exact");
  EXPECT_EQ(parseOci(R"({"root": {"path": "exact"}, "ROOT": {"path": "folded"}})").rootPath(), "exact");
}

TEST(OciSpecGoCompatTest, NullElementsAreEmptyStrings) {
  OciSpec s = parseOci(ociWith(R"("process": {"args": ["a", null, "c"], "env": [null]}, "annotations": {"k": null})"));
  EXPECT_EQ(s.args(), (std::vector<std::string>{"a", "", "c"}));
  EXPECT_EQ(s.env(), (std::vector<std::string>{""}));
  EXPECT_EQ(s.annotations().at("k"), "");
}

TEST(OciSpecGoCompatTest, UnknownFieldsOfAnyTypeAreIgnored) {
  OciSpec s = parseOci(ociWith(R"("future": [1, {"x": null}], "vm": {"hypervisor": 3}, "windows": "x",
                                  "process": {"args": ["a"], "newThing": {"deep": [[[]]]}},
                                  "linux": {"resources": {"cpu": {"realtimeRuntime": "x", "quota": 1},
                                                          "pids": "weird"}})"));
  EXPECT_EQ(s.args(), (std::vector<std::string>{"a"}));
  EXPECT_EQ(s.cpuQuota(), 1);
}

// --- root.path ---

TEST(OciRootTest, RelativeRootPathResolvedAgainstTheBundle) {
  EXPECT_EQ(parseOci(ociWith(""), "/b/bundle").rootfs(), "/b/bundle/rootfs");
  EXPECT_EQ(parseOci(R"({"root": {"path": "./rootfs/"}})", "/b/bundle").rootfs(), "/b/bundle/rootfs");
  EXPECT_EQ(parseOci(R"({"root": {"path": "../shared/rootfs"}})", "/b/bundle").rootfs(), "/b/shared/rootfs");
  EXPECT_EQ(parseOci(R"({"root": {"path": "a//b/../c"}})", "/b/bundle/").rootfs(), "/b/bundle/a/c");
  EXPECT_EQ(parseOci(R"({"root": {"path": "../../../../x"}})", "/b").rootfs(), "/x");
  EXPECT_EQ(parseOci(R"({"root": {"path": "."}})", "/b/bundle").rootfs(), "/b/bundle");
  EXPECT_EQ(parseOci(R"({"root": {"path": "rootfs"}})", "/b/./x/../bundle").rootfs(), "/b/bundle/rootfs");
  EXPECT_EQ(parseOci(R"({"root": {"path": "./rootfs/"}})", "/b/bundle").rootPath(), "./rootfs/") << "as written";
}

TEST(OciRootTest, AbsoluteRootPathIsNormalisedOnly) {
  EXPECT_EQ(parseOci(R"({"root": {"path": "/var/lib/x/rootfs"}})", "/elsewhere").rootfs(), "/var/lib/x/rootfs");
  EXPECT_EQ(parseOci(R"({"root": {"path": "/var/lib/x/rootfs/"}})").rootfs(), "/var/lib/x/rootfs");
  EXPECT_EQ(parseOci(R"({"root": {"path": "/a/./b/../c//d"}})").rootfs(), "/a/c/d");
  EXPECT_EQ(parseOci(R"({"root": {"path": "/"}})").rootfs(), "/");
  EXPECT_EQ(parseOci(R"({"root": {"path": "/.."}})").rootfs(), "/");
}

TEST(OciRootTest, RelativeBundleIsTakenFromTheCurrentDirectory) {
  TempDir tmp;
  CwdGuard cwd(tmp.path());
  std::string here = std::filesystem::current_path().string();
  EXPECT_EQ(parseOci(ociWith(""), "bundle").rootfs(), here + "/bundle/rootfs");
  EXPECT_EQ(parseOci(ociWith(""), "").rootfs(), here + "/rootfs");
  EXPECT_EQ(parseOci(ociWith(""), ".").rootfs(), here + "/rootfs");
  EXPECT_EQ(parseOci(R"({"root": {"path": "/abs"}})", "bundle").rootfs(), "/abs");
}

TEST(OciRootTest, RootPathRequired) {
  for (const char* json : {R"({})", R"({"root": null})", R"({"root": {}})", R"({"root": {"path": null}})",
                           R"({"root": {"path": ""}})", R"({"root": {"readonly": true}})"}) {
    expectOciError(json, ErrorCode::InvalidArgument, {"\"root.path\": is required"});
  }
}

TEST(OciRootTest, RootPathWrongTypes) {
  expectOciError(R"({"root": {"path": 42}})", ErrorCode::ParseError, {"\"root.path\": expected a string, got 42"});
  expectOciError(R"({"root": {"path": ["rootfs"]}})", ErrorCode::ParseError,
                 {"\"root.path\": expected a string, got [\"rootfs\"]"});
  expectOciError(R"({"root": "rootfs"})", ErrorCode::ParseError, {"\"root\": expected an object, got \"rootfs\""});
  expectOciError(R"({"root": {"path": "a\u0000b"}})", ErrorCode::InvalidArgument,
                 {"\"root.path\": \"a\\u0000b\" contains a NUL byte"});
}

// --- type errors name the dotted field ---

TEST(OciTypeErrorTest, EachFieldNamed) {
  struct Case {
    std::string extra;
    std::string field;
    std::string got;
  };
  const std::vector<Case> cases = {
      {R"("ociVersion": 1)", "ociVersion", "1"},
      {R"("annotations": ["a"])", "annotations", "[\"a\"]"},
      {R"("annotations": {"ok": "x", "io.runphi/bad": 1})", "annotations.io.runphi/bad", "1"},
      {R"("annotations": {"flag": true})", "annotations.flag", "true"},
      {R"("annotations": {"nested": {"a": "b"}})", "annotations.nested", "{\"a\":\"b\"}"},
      {R"("process": "sh")", "process", "\"sh\""},
      {R"("process": {"args": "sh"})", "process.args", "\"sh\""},
      {R"("process": {"args": ["sh", 1]})", "process.args[1]", "1"},
      {R"("process": {"env": {"A": "1"}})", "process.env", "{\"A\":\"1\"}"},
      {R"("process": {"env": ["A=1", "B=2", false]})", "process.env[2]", "false"},
      {R"("linux": [])", "linux", "[]"},
      {R"("linux": {"resources": "none"})", "linux.resources", "\"none\""},
      {R"("linux": {"resources": {"cpu": 2}})", "linux.resources.cpu", "2"},
      {R"("linux": {"resources": {"cpu": {"quota": "50000"}}})", "linux.resources.cpu.quota", "\"50000\""},
      {R"("linux": {"resources": {"cpu": {"quota": 1.5}}})", "linux.resources.cpu.quota", "1.5"},
      {R"("linux": {"resources": {"cpu": {"quota": 5e4}}})", "linux.resources.cpu.quota", "50000"},
      {R"("linux": {"resources": {"cpu": {"quota": true}}})", "linux.resources.cpu.quota", "true"},
      {R"("linux": {"resources": {"cpu": {"period": -1}}})", "linux.resources.cpu.period", "-1"},
      {R"("linux": {"resources": {"cpu": {"period": "100000"}}})", "linux.resources.cpu.period", "\"100000\""},
      {R"("linux": {"resources": {"cpu": {"period": 100000.0}}})", "linux.resources.cpu.period", "100000"},
      {R"("linux": {"resources": {"cpu": {"period": 18446744073709551616}}})", "linux.resources.cpu.period", "1.8"},
      {R"("linux": {"resources": {"cpu": {"cpus": 3}}})", "linux.resources.cpu.cpus", "3"},
      {R"("linux": {"resources": {"cpu": {"cpus": [0, 1]}}})", "linux.resources.cpu.cpus", "[0,1]"},
      {R"("linux": {"resources": {"memory": true}})", "linux.resources.memory", "true"},
      {R"("linux": {"resources": {"memory": {"limit": "512m"}}})", "linux.resources.memory.limit", "\"512m\""},
      {R"("linux": {"resources": {"memory": {"limit": 1024.5}}})", "linux.resources.memory.limit", "1024.5"},
      {R"("hooks": [])", "hooks", "[]"},
      {R"("hooks": {"prestart": {"path": "/x"}})", "hooks.prestart", "{\"path\":\"/x\"}"},
      {R"("hooks": {"createRuntime": ["/x"]})", "hooks.createRuntime[0]", "\"/x\""},
      {R"("hooks": {"createContainer": [{"path": 1}]})", "hooks.createContainer[0].path", "1"},
      {R"("hooks": {"startContainer": [{"path": "/x", "args": "a"}]})", "hooks.startContainer[0].args", "\"a\""},
      {R"("hooks": {"poststart": [{"path": "/x", "env": [1]}]})", "hooks.poststart[0].env[0]", "1"},
      {R"("hooks": {"poststop": [{"path": "/x"}, {"path": "/y", "timeout": "5"}]})", "hooks.poststop[1].timeout",
       "\"5\""},
      {R"("hooks": {"poststop": [{"path": "/y", "timeout": 1.5}]})", "hooks.poststop[0].timeout", "1.5"},
  };
  for (const Case& k : cases) {
    expectOciError(ociWith(k.extra), ErrorCode::ParseError, {"\"" + k.field + "\": expected ", "got " + k.got});
  }
}

TEST(OciTypeErrorTest, OutOfRangeIntegers) {
  expectOciError(ociWith(R"("linux": {"resources": {"cpu": {"quota": 9223372036854775808}}})"),
                 ErrorCode::InvalidArgument, {"\"linux.resources.cpu.quota\": 9223372036854775808 is out of range"});
  expectOciError(ociWith(R"("linux": {"resources": {"memory": {"limit": 18446744073709551615}}})"),
                 ErrorCode::InvalidArgument,
                 {"\"linux.resources.memory.limit\": 18446744073709551615 is out of range"});
}

TEST(OciTypeErrorTest, TopLevelAndMalformed) {
  expectOciError("[]", ErrorCode::ParseError, {"top level must be a JSON object"});
  for (const char* json : {"", "{", R"({"root": {"path": "r"},})", "null", R"("x")"}) {
    expectOciError(json, ErrorCode::ParseError, {"malformed JSON"});
  }
}

// --- hooks: the runtime-spec MUSTs ---

TEST(OciHookTest, PathRequiredAndAbsolute) {
  expectOciError(ociWith(R"("hooks": {"poststop": [{"path": "/ok"}, {"args": ["x"]}]})"), ErrorCode::InvalidArgument,
                 {"\"hooks.poststop[1].path\": is required"});
  expectOciError(ociWith(R"("hooks": {"prestart": [{"path": ""}]})"), ErrorCode::InvalidArgument,
                 {"\"hooks.prestart[0].path\": is required"});
  expectOciError(ociWith(R"("hooks": {"prestart": [null]})"), ErrorCode::InvalidArgument,
                 {"\"hooks.prestart[0].path\": is required"});
  expectOciError(ociWith(R"("hooks": {"createRuntime": [{"path": "bin/hook"}]})"), ErrorCode::InvalidArgument,
                 {"\"hooks.createRuntime[0].path\": \"bin/hook\" is not an absolute path"});
  expectOciError(ociWith(R"("hooks": {"createContainer": [{"path": "/bin/a\u0000b"}]})"), ErrorCode::InvalidArgument,
                 {"\"hooks.createContainer[0].path\": \"/bin/a\\u0000b\" contains a NUL byte"});
}

TEST(OciHookTest, TimeoutMustBePositiveAndFitAnInt) {
  expectOciError(ociWith(R"("hooks": {"startContainer": [{"path": "/x", "timeout": 0}]})"), ErrorCode::InvalidArgument,
                 {"\"hooks.startContainer[0].timeout\": 0 must be greater than 0"});
  expectOciError(ociWith(R"("hooks": {"poststart": [{"path": "/x", "timeout": -5}]})"), ErrorCode::InvalidArgument,
                 {"\"hooks.poststart[0].timeout\": -5 must be greater than 0"});
  expectOciError(ociWith(R"("hooks": {"poststart": [{"path": "/x", "timeout": 2147483648}]})"),
                 ErrorCode::InvalidArgument, {"\"hooks.poststart[0].timeout\": 2147483648 is too large"});
}

// --- loadOciSpec ---

TEST(OciLoadTest, ReadsBundleConfig) {
  TempDir tmp;
  std::string bundle = tmp / "bundle";
  writeFile(bundle + "/config.json", kRuncSpec);
  OciSpec s = phi::loadOciSpec(bundle);
  EXPECT_EQ(s.ociVersion(), "1.0.2-dev");
  EXPECT_EQ(s.rootfs(), bundle + "/rootfs");
  EXPECT_EQ(s.args(), (std::vector<std::string>{"sh"}));
}

TEST(OciLoadTest, RelativeBundleGivesAnAbsoluteRootfs) {
  TempDir tmp;
  writeFile(tmp / "bundle/config.json", kRuncSpec);
  CwdGuard cwd(tmp.path());
  std::string here = std::filesystem::current_path().string();
  EXPECT_EQ(phi::loadOciSpec("bundle").rootfs(), here + "/bundle/rootfs");
  CwdGuard cwd2(tmp / "bundle");
  EXPECT_EQ(phi::loadOciSpec("").rootfs(), here + "/bundle/rootfs");
}

TEST(OciLoadTest, DuplicateKeysInTheFileLastWins) {
  TempDir tmp;
  writeFile(tmp / "config.json", R"({"root": {"path": "a"}, "root": {"path": "b"}})");
  EXPECT_EQ(phi::loadOciSpec(tmp.path()).rootPath(), "b");
}

TEST(OciLoadTest, MissingConfigIsNotFoundNamingIt) {
  TempDir tmp;
  phi::Error e = capturePhiError([&] { phi::loadOciSpec(tmp.path()); });
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_CONTAINS(e.what(), tmp / "config.json");
}

TEST(OciLoadTest, ErrorsNameTheFile) {
  TempDir tmp;
  writeFile(tmp / "config.json", ociWith(R"("linux": {"resources": {"cpu": {"quota": "x"}}})"));
  phi::Error e = capturePhiError([&] { phi::loadOciSpec(tmp.path()); });
  EXPECT_EQ(e.code(), ErrorCode::ParseError);
  EXPECT_EQ(std::string(e.what()).rfind(tmp / "config.json" + ": \"linux.resources.cpu.quota\"", 0), 0u) << e.what();
}

}  // namespace
