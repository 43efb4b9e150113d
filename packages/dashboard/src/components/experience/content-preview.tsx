/**
 * The variant's HTML in a sandboxed frame with no script, same-origin or navigation rights: what
 * the owner typed is shown as markup without being able to run or reach the dashboard.
 */
export function ContentPreview({ html, title }: { html: string; title: string }) {
  return (
    <iframe
      title={title}
      sandbox=""
      srcDoc={`<!doctype html><meta charset="utf-8"><body style="font-family:sans-serif;margin:8px">${html}</body>`}
      style={{
        width: '100%',
        height: 120,
        border: '1px solid #ced4da',
        borderRadius: 4,
        background: 'white',
      }}
    />
  );
}
