// Umbrella header: the whole public API of libphi, the driver SDK included.
#pragma once

#include <phi/container.hpp>
#include <phi/container_state.hpp>
#include <phi/create_request.hpp>
#include <phi/driver/command.hpp>
#include <phi/driver/driver.hpp>
#include <phi/driver/files.hpp>
#include <phi/driver/guest_status.hpp>
#include <phi/driver/guest_watch.hpp>
#include <phi/driver/partition_context.hpp>
#include <phi/driver/tick_source.hpp>
#include <phi/drivers.hpp>
#include <phi/error.hpp>
#include <phi/export.hpp>
#include <phi/log.hpp>
#include <phi/oci_spec.hpp>
#include <phi/partition.hpp>
#include <phi/platform.hpp>
#include <phi/resources.hpp>
#include <phi/routing.hpp>
#include <phi/runtime.hpp>
#include <phi/runtime_options.hpp>
#include <phi/signal.hpp>
#include <phi/version.hpp>
#include <phi/zic_config.hpp>
