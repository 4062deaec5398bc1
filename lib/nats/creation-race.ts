/**
 * Makes (or finds) a stream or bucket, again if the first try loses a race: instances starting together each see
 * it missing and create it, and JetStream refuses all but one ("subjects overlap with an existing stream", "stream
 * name already in use"). By the next try it exists, and making it again opens it. Three tries, 50 ms apart.
 */
export async function afterCreationRace<T>(make: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await make();
    } catch (error) {
      if (attempt >= 3) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
