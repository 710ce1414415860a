import "../helpers/isolated-env";
import { runnerContract } from "./runner-contract";

// Configuration is read once, on first use, after this line.
process.env.HAKURIVER_FLAVOR = "kohakuriver";
runnerContract("kohakuriver");
