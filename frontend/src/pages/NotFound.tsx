import { Link } from 'react-router';
import { usePageTitle } from '../page-title.ts';

export function NotFound() {
  usePageTitle('Page not found');
  return (
    <main>
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/files">Go to your files</Link>.
      </p>
    </main>
  );
}
