/* clock.h: the two clocks writ reads: monotonic milliseconds for
 * deadlines and durations (never moved by a clock change), and the wall
 * clock in milliseconds for records people read. */
#ifndef WRIT_CLOCK_H
#define WRIT_CLOCK_H

#include <stdint.h>

int64_t clock_mono_ms(void);
int64_t clock_wall_ms(void);

#endif
