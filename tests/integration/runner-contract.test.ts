import "../helpers/isolated-env";
import { runnerContract } from "./runner-contract";

runnerContract("hakuriver");
