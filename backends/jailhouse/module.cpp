// The loadable module: libphi-driver-jailhouse.so.
#include "jailhouse_driver.hpp"

PHI_DRIVER_MODULE("jailhouse", phi::jailhouse::JailhouseDriver);
