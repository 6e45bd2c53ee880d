import { useLocation } from './router.tsx';
import { pageFor } from './routes.tsx';

export function App() {
  const { pathname } = useLocation();
  return pageFor(pathname);
}
