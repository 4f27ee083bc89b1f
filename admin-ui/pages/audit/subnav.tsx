// The audit area's own navigation: the log, checkpoints, verification and the export.
import type { Messages } from '../../i18n/catalogue.js';

export type AuditSection = 'log' | 'checkpoints' | 'verify';

export function AuditNav(props: { t: Messages; current: AuditSection }) {
  const { t } = props;
  const links: ReadonlyArray<[AuditSection, string, string]> = [
    ['log', '/ui/audit', t.auditNavLog],
    ['checkpoints', '/ui/audit/checkpoints', t.auditNavCheckpoints],
    ['verify', '/ui/audit/verify', t.auditNavVerify],
  ];
  return (
    <nav aria-label={t.auditNavLabel} class="audit-nav">
      <ul>
        {links.map(([section, href, label]) => (
          <li>
            <a href={href} aria-current={props.current === section ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
        <li>
          <a href="/ui/audit/export" download>
            {t.auditExportLink}
          </a>
        </li>
      </ul>
    </nav>
  );
}
