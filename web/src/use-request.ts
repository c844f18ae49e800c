// A request that follows its parameters: sent a moment after they stop changing, and an
// answer to older parameters is dropped when newer ones have been asked.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api.ts';

export interface RequestState<T> {
  data: T | null;
  error: ApiError | Error | null;
  busy: boolean;
}

export function useRequest<T>(key: string | null, run: (signal: AbortSignal) => Promise<T>, delayMs = 150): RequestState<T> {
  const [state, setState] = useState<RequestState<T>>({ data: null, error: null, busy: false });
  const latest = useRef(run);
  latest.current = run;
  useEffect(() => {
    if (key === null) {
      setState({ data: null, error: null, busy: false });
      return;
    }
    const abort = new AbortController();
    setState((s) => ({ ...s, busy: true }));
    const timer = setTimeout(() => {
      latest.current(abort.signal).then(
        (data) => { if (!abort.signal.aborted) setState({ data, error: null, busy: false }); },
        (error: Error) => { if (!abort.signal.aborted) setState({ data: null, error, busy: false }); },
      );
    }, delayMs);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [key]);
  return state;
}
