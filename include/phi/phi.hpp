// Umbrella header: the whole public API of libphi.
#pragma once

#include <phi/command.hpp>
#include <phi/config.hpp>
#include <phi/driver.hpp>
#include <phi/error.hpp>
#include <phi/export.hpp>
#include <phi/forwarding.hpp>
#include <phi/invocation.hpp>
#include <phi/log.hpp>
#include <phi/oci_spec.hpp>
#include <phi/partition.hpp>
#include <phi/platform.hpp>
#include <phi/rootfs.hpp>
#include <phi/runtime.hpp>
#include <phi/tick_source.hpp>
#include <phi/version.hpp>
#include <phi/zic_config.hpp>
