import { useStorage } from '../api/queries.ts';
import { formatBytes } from '../format.ts';

/** "12.3 GB of 100 GB used · files up to 50 GB", with a meter; nothing while it loads or fails. */
export function StorageMeter() {
  const storage = useStorage();
  if (!storage.data) return null;
  const { usedBytes, quotaBytes, maxFileBytes } = storage.data;
  return (
    <section className="storage" aria-label="Storage">
      <p>
        <span data-storage-used={usedBytes}>
          {formatBytes(usedBytes)} of {formatBytes(quotaBytes)} used
        </span>{' '}
        · {formatBytes(Math.max(0, quotaBytes - usedBytes))} free · files up to {formatBytes(maxFileBytes)}
      </p>
      <meter min={0} max={quotaBytes} value={Math.min(usedBytes, quotaBytes)} aria-label="Storage used" />
    </section>
  );
}
