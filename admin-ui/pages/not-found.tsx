// An address under /ui/ that is no page.
import { Layout, type PageContext } from './layout.js';

export function NotFoundPage(props: { page: PageContext }) {
  const { t } = props.page;
  return (
    <Layout page={props.page} title={t.notFoundTitle}>
      <p>{t.notFound}</p>
      <p>
        <a href="/ui/">{t.overviewTitle}</a>
      </p>
    </Layout>
  );
}
