/*
 * adapters/sysclock.h: libcarbon's clock port backed by the system clock
 * and the process's local time zone (mktime/localtime_r), for the plugins
 * and programs.  libcarbon itself never reads the clock.
 */
#ifndef CARBON_ADAPTER_SYSCLOCK_H
#define CARBON_ADAPTER_SYSCLOCK_H

#include "carbon/timeparse.h"

/* A clock port whose now is the current time; the struct holds no
 * pointers to free. */
struct carbon_clock carbon_sysclock_now(void);

#endif
