import { useEffect, useRef, useState } from 'react';
import type { PinChange } from '../api/types';

export type LiveState = 'connecting' | 'open' | 'reconnecting';

/**
 * GET /api/v1/map/live as an EventSource (the session cookie goes with it). EventSource reconnects
 * by itself after a dropped connection or the server's end of the stream; `onReconnect` then lets
 * the page ask for its view again, since changes made while it was away are not replayed. A stream
 * refused outright (401: the session expired) closes for good: `onRefused` hands it to the session.
 */
export function useLivePins(
  onChange: (change: PinChange) => void,
  onReconnect: () => void,
  onRefused: () => void,
): { state: LiveState; lastChange: Date | null } {
  const [state, setState] = useState<LiveState>('connecting');
  const [lastChange, setLastChange] = useState<Date | null>(null);
  const callbacks = useRef({ onChange, onReconnect, onRefused });
  callbacks.current = { onChange, onReconnect, onRefused };

  useEffect(() => {
    const source = new EventSource('/api/v1/map/live');
    let wasOpen = false;
    source.onopen = () => {
      if (wasOpen) callbacks.current.onReconnect();
      wasOpen = true;
      setState('open');
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) {
        setState('reconnecting');
        callbacks.current.onRefused();
      } else {
        setState('reconnecting');
      }
    };
    source.addEventListener('pin', (event) => {
      try {
        const change = JSON.parse((event as MessageEvent<string>).data) as PinChange;
        setLastChange(new Date());
        callbacks.current.onChange(change);
      } catch {
        // a frame this build does not understand: the next view refresh shows the truth
      }
    });
    return () => source.close();
  }, []);

  return { state, lastChange };
}
