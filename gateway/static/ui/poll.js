// Polling the API while something runs: one request at a time (the next is scheduled
// when the last has answered, never on a fixed clock that could pile requests up), slower
// while the tab is hidden, and after a 429 not before the API's Retry-After.

export function poller(task, { interval = 2000, hiddenInterval = 15000 } = {}) {
  let timer = null;
  let stopped = false;
  let running = false;

  async function tick() {
    timer = null;
    if (stopped || running) return;
    running = true;
    let next = interval;
    try {
      const answer = await task();
      if (answer === false) {
        stopped = true;
        return;
      }
      if (typeof answer === 'number') next = answer;
    } catch (err) {
      if (err && err.status === 429) next = Math.max(interval, (err.retryAfter ?? 5) * 1000);
      else if (err && err.status === 401) next = 60000; // the token prompt is open; it re-polls when a token comes
      else next = Math.max(interval, 5000);
    } finally {
      running = false;
    }
    if (!stopped) timer = setTimeout(tick, document.hidden ? Math.max(next, hiddenInterval) : next);
  }

  const onVisible = () => {
    if (!document.hidden && !stopped && timer !== null) {
      clearTimeout(timer);
      tick();
    }
  };
  document.addEventListener('visibilitychange', onVisible);

  return {
    start(delay = 0) {
      stopped = false;
      if (timer !== null) clearTimeout(timer);
      timer = setTimeout(tick, delay);
    },
    now() {
      if (timer !== null) clearTimeout(timer);
      stopped = false;
      tick();
    },
    stop() {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
