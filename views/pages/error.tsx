import { Layout } from "../layout.tsx";

export function ErrorPage(props: { demo: boolean; status: number; message: string }) {
  return (
    <Layout title="Something went wrong" demo={props.demo}>
      <section class="error-page">
        <h1>{props.status === 404 ? "Not found" : "That did not work"}</h1>
        <p>{props.message}</p>
        <p>
          <a href="/">Back to the studio</a>
        </p>
      </section>
    </Layout>
  );
}
