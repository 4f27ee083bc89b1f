// This node's signed checkpoints (tree heads), newest first, with which peers cosigned each as
// witnesses and when, and whether every checkpoint shown is cosigned.
import { format, formatDate, formatNumber } from '../../i18n/catalogue.js';
import { Layout, type PageContext } from '../layout.js';
import { AuditNav } from './subnav.js';

export interface CheckpointView {
  size: number;
  rootHash: string;
  createdAt: string;
  cosignatures: Array<{ witnessId: string; signedAt: string; receivedAt: string }>;
}

export interface CheckpointsPageData {
  checkpoints: CheckpointView[];
  /** Where the next page of older checkpoints starts (by size, exclusive), if any. */
  olderBefore?: number | undefined;
  paged: boolean;
  /** Entries appended since the latest checkpoint (not signed yet). */
  unsigned: number;
}

export function CheckpointsPage(props: { page: PageContext; data: CheckpointsPageData }) {
  const { page, data } = props;
  const { t, language } = page;
  const uncosigned = data.checkpoints.filter((c) => c.cosignatures.length === 0).length;
  return (
    <Layout page={page} title={t.auditCheckpointsTitle} nav="/ui/audit">
      <AuditNav t={t} current="checkpoints" />
      <p>{t.auditCheckpointsIntro}</p>
      <h2>{t.auditCheckpointsSummary}</h2>
      {data.checkpoints.length === 0 ? (
        <p>{t.auditNoCheckpoints}</p>
      ) : uncosigned === 0 ? (
        <p>
          <span class="badge good">{t.auditCosignedBadge}</span> {format(t.auditAllCosigned, { count: formatNumber(data.checkpoints.length, language) })}
        </p>
      ) : (
        <p>
          <span class="badge bad">{t.auditNotCosignedBadge}</span>{' '}
          {format(t.auditSomeNotCosigned, { count: formatNumber(uncosigned, language), total: formatNumber(data.checkpoints.length, language) })}
        </p>
      )}
      {data.unsigned > 0 ? <p>{format(t.auditUnsignedEntries, { count: formatNumber(data.unsigned, language) })}</p> : null}
      {data.checkpoints.length > 0 ? (
        <>
          <h2>{t.auditCheckpointsHeading}</h2>
          <table class="audit-checkpoints">
            <thead>
              <tr>
                <th scope="col">{t.auditColSize}</th>
                <th scope="col">{t.auditColSignedAt}</th>
                <th scope="col">{t.auditColRoot}</th>
                <th scope="col">{t.auditColCosignatures}</th>
              </tr>
            </thead>
            <tbody>
              {data.checkpoints.map((c) => (
                <tr>
                  <td>{format(t.auditEntriesCount, { count: formatNumber(c.size, language) })}</td>
                  <td>{formatDate(c.createdAt, language)}</td>
                  <td class="audit-id">{c.rootHash}</td>
                  <td>
                    {c.cosignatures.length === 0 ? (
                      <span class="badge bad">{t.auditNotCosignedBadge}</span>
                    ) : (
                      <ul class="audit-cosigners">
                        {c.cosignatures.map((s) => (
                          <li>
                            <span class="audit-id">{s.witnessId}</span>
                            {' · '}
                            {format(t.auditCosignedAt, { date: formatDate(s.signedAt, language) })}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
      <p class="actions">
        {data.paged ? <a href="/ui/audit/checkpoints">{t.auditNewestCheckpoints}</a> : null}
        {data.olderBefore !== undefined ? <a href={`/ui/audit/checkpoints?before=${data.olderBefore}`}>{t.auditOlderCheckpoints}</a> : null}
      </p>
    </Layout>
  );
}
