import { useStore } from '../../hooks/useStore.ts';
import { useT } from '../../i18n/index.ts';
import { Link, useLocation } from '../../router.tsx';
import { staffAuth } from '../../services/session.ts';
import type { MessageKey } from '../../i18n/index.ts';
import { useWhistleAlerts } from './useWhistleAlerts.ts';
import { WhistleBadge, WhistleNotice } from './WhistleAlert.tsx';
import '../../styles/staff-nav.css';

/** Header links by role: 工作台 / 我的案件, 督办看板 (supervisors), 网格地图 (mediators, supervisors, grid workers), 吹哨任务 (officials), 司法确认 (judges), 规则, 人员管理 and 审计 (admins). */
export function StaffNav() {
  const t = useT();
  const auth = useStore(staffAuth);
  const { pathname } = useLocation();
  const role = auth?.user.role;
  const alerts = useWhistleAlerts(role === 'official');
  if (!auth) return null;
  const links: Array<[string, MessageKey]> = [['/', 'cl.nav.home']];
  if (role === 'mediator' || role === 'official' || role === 'gridworker') links.push(['/queue', 'cl.nav.queue']);
  if (role === 'judge') links.push(['/court', 'jud.nav']);
  if (role === 'supervisor' || role === 'admin') links.push(['/dashboard', 'cl.nav.dashboard'], ['/assessment', 'as.nav']);
  // Admins load the city's grids on the map page.
  if (role !== 'official' && role !== 'judge') links.push(['/map', 'grid.nav']);
  if (role === 'official' || role === 'mediator') links.push(['/whistles', 'cl.nav.whistles']);
  if (role === 'admin' || role === 'supervisor') links.push(['/rules', 'cl.nav.rules']);
  if (role === 'admin') links.push(['/staff', 'staff.nav'], ['/audit', 'audit.nav']);
  return (
    <>
      <nav className="staff-nav" aria-label={t('cl.nav.label')}>
        {links.map(([to, key]) => (
          <Link
            key={to}
            to={to}
            className={`staff-nav__link${pathname === to ? ' staff-nav__link--on' : ''}`}
            aria-current={pathname === to ? 'page' : undefined}
          >
            {t(key)}
            {to === '/whistles' && role === 'official' && <WhistleBadge count={alerts.count} />}
          </Link>
        ))}
      </nav>
      {alerts.fresh && <WhistleNotice whistle={alerts.fresh} onDismiss={alerts.dismiss} />}
    </>
  );
}
