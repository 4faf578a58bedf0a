// Umbrella header: the whole public API of libphi.
#pragma once

#include <phi/config.hpp>
#include <phi/error.hpp>
#include <phi/export.hpp>
#include <phi/forwarding.hpp>
#include <phi/invocation.hpp>
#include <phi/log.hpp>
#include <phi/runtime.hpp>
#include <phi/version.hpp>
