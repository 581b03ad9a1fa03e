/* run_signals.h: SIGINT and SIGTERM during a run: the first
 * SIGINT stops starting hosts, a second one or SIGTERM also closes the
 * channels in flight; the run still writes its reports and then exits
 * 130 (143 after SIGTERM). */
#ifndef WRIT_RUN_SIGNALS_H
#define WRIT_RUN_SIGNALS_H

#include "fanout.h"

/* Points the handlers at stop (which must outlive the run). */
void run_signals_install(struct fanout_stop *stop);
/* 130 or 143 when a signal stopped the run, else 0. */
int run_signals_status(void);

#endif
