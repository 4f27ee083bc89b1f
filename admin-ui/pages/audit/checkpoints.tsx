// This node's signed checkpoints (tree heads), newest first, with which peers cosigned each as
// witnesses and when, and whether every checkpoint shown is cosigned; then, the other way round,
// what this node witnessed of its peers' logs and any contradiction it found in one.
import type { WitnessedLogs } from '../../../node/audit-log/witnessed.js';
import { format, formatDate, formatNumber, type Language, type Messages } from '../../i18n/catalogue.js';
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
  /** Each peer whose log this node witnessed, by name. */
  witnessed: WitnessedPeer[];
}

export interface WitnessedPeer {
  peerId: string;
  peerName: string;
  /** The latest of its checkpoints this node cosigned. */
  last: { size: number; cosignedAt: string } | undefined;
  inconsistencies: Array<{ kind: WitnessedLogs['inconsistencies'][number]['kind']; detectedAt: string; heldSize: number; submittedSize: number }>;
}

/** What this node witnessed, grouped by peer (a peer named by its id when it is not known here). */
export function witnessedByPeer(witnessed: WitnessedLogs, names: ReadonlyMap<string, string>): WitnessedPeer[] {
  const ids = [...new Set([...witnessed.logs.map((l) => l.peer_id), ...witnessed.inconsistencies.map((i) => i.peer_id)])];
  return ids
    .map((peerId) => {
      const log = witnessed.logs.find((l) => l.peer_id === peerId);
      return {
        peerId,
        peerName: names.get(peerId) ?? peerId,
        last: log ? { size: log.checkpoint.size, cosignedAt: log.cosigned_at } : undefined,
        inconsistencies: witnessed.inconsistencies
          .filter((i) => i.peer_id === peerId)
          .map((i) => ({ kind: i.kind, detectedAt: i.detected_at, heldSize: i.held.size, submittedSize: i.submitted.size })),
      };
    })
    .sort((a, b) => a.peerName.localeCompare(b.peerName));
}

function Inconsistency(props: { t: Messages; language: Language; found: WitnessedPeer['inconsistencies'][number] }) {
  const { t, language, found } = props;
  const date = formatDate(found.detectedAt, language);
  return found.kind === 'same-size-different-root'
    ? <li>{format(t.auditWitnessSameSize, { date, size: formatNumber(found.heldSize, language) })}</li>
    : <li>{format(t.auditWitnessNoContinuation, { date, old: formatNumber(found.heldSize, language), new: formatNumber(found.submittedSize, language) })}</li>;
}

function WitnessedSection(props: { t: Messages; language: Language; peers: WitnessedPeer[] }) {
  const { t, language, peers } = props;
  const flagged = peers.some((p) => p.inconsistencies.length > 0);
  return (
    <section aria-labelledby="witnessed">
      <h2 id="witnessed">{t.auditWitnessedHeading}</h2>
      <p>{t.auditWitnessedIntro}</p>
      {peers.length === 0 ? (
        <p>{t.auditWitnessedNone}</p>
      ) : (
        <table class="audit-witnessed">
          <thead>
            <tr>
              <th scope="col">{t.auditColPeer}</th>
              <th scope="col">{t.auditColLastWitnessed}</th>
              <th scope="col">{t.auditColWitnessedAt}</th>
              <th scope="col">{t.auditColContradictions}</th>
            </tr>
          </thead>
          <tbody>
            {peers.map((p) => (
              <tr>
                <td>
                  {p.peerName}
                  <br />
                  <span class="audit-id">{p.peerId}</span>
                </td>
                <td>{p.last ? format(t.auditEntriesCount, { count: formatNumber(p.last.size, language) }) : t.none}</td>
                <td>{p.last ? formatDate(p.last.cosignedAt, language) : t.none}</td>
                <td>
                  {p.inconsistencies.length === 0 ? (
                    <span class="badge good">{t.auditWitnessConsistent}</span>
                  ) : (
                    <>
                      <span class="badge bad">{t.auditWitnessContradiction}</span>
                      <ul class="audit-said">
                        {p.inconsistencies.map((found) => (
                          <Inconsistency t={t} language={language} found={found} />
                        ))}
                      </ul>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {flagged ? <p>{t.auditWitnessWhatToDo}</p> : null}
    </section>
  );
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
      <WitnessedSection t={t} language={language} peers={data.witnessed} />
    </Layout>
  );
}
