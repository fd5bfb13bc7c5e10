import { useQueryClient } from '@tanstack/react-query';
import {
  createContext,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useState,
  useSyncExternalStore,
} from 'react';
import { keys } from '../api/queries.ts';
import type { EngineSnapshot, UploadEngine } from '../upload-engine/index.ts';
import { currentUploadEngine } from './engine-instance.ts';

const EngineContext = createContext<UploadEngine | null>(null);

/**
 * One engine per signed-in session, outliving page changes (and React's StrictMode remounts);
 * finished uploads refresh the file list.
 */
export function UploadEngineProvider({ children }: { children: ReactNode }) {
  const [engine] = useState(currentUploadEngine);
  const client = useQueryClient();
  useEffect(() => {
    let completed = 0;
    return engine.subscribe(() => {
      const now = engine.getSnapshot().files.filter((f) => f.status === 'completed').length;
      if (now !== completed) {
        completed = now;
        void client.invalidateQueries({ queryKey: keys.files });
        void client.invalidateQueries({ queryKey: keys.uploads });
        void client.invalidateQueries({ queryKey: keys.storage });
      }
    });
  }, [engine, client]);
  return <EngineContext.Provider value={engine}>{children}</EngineContext.Provider>;
}

export function useUploadEngine(): { engine: UploadEngine; snapshot: EngineSnapshot } {
  const engine = useContext(EngineContext);
  if (!engine) throw new Error('useUploadEngine needs an UploadEngineProvider');
  const subscribe = useCallback((listener: () => void) => engine.subscribe(listener), [engine]);
  const snapshot = useSyncExternalStore(subscribe, () => engine.getSnapshot());
  return { engine, snapshot };
}
