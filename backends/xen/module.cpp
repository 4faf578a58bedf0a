// The loadable module: libphi-driver-xen.so.
#include "xen_driver.hpp"

PHI_DRIVER_MODULE("xen", phi::xen::XenDriver);
